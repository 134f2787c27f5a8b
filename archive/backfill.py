"""Filing what was stored before the archive existed (STD-3.4.3, STD-5.1): the data
migrations of the apps that hold files call `file_existing`, so nothing received before is
left out of the archive or left outside its one door.

Each stored file is copied to an archive name that does not reveal the person, checksummed
and filed as an item of the month it was received; the model's field is pointed at the
archive name and the old file is removed once the migration commits. A file an item of the
same record already holds (filed by the receiving service, stored twice) is not copied
again: the field points at the item's file. Run again, it finds nothing left to do."""

import datetime
import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from archive.models import ItemKind
from archive.services import RETENTION_YEARS, retention_end
from archive.storage import ARCHIVE_ROOT, final_name


def file_existing(
    apps: Any, *, app_label: str, model_name: str, field: str, kind: str,
    title: Callable[[Any], str], client_id: Callable[[Any], int | None],
    received: Callable[[Any], datetime.datetime | datetime.date],
) -> None:
    model = apps.get_model(app_label, model_name)
    item_model = apps.get_model("archive", "ArchiveItem")
    batch_model = apps.get_model("archive", "FilingBatch")
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label=app_label, model=model_name.lower())
    for obj in model.objects.exclude(**{field: ""}).order_by("pk").iterator():
        old = getattr(obj, field).name
        if old.startswith(f"{ARCHIVE_ROOT}/") or not default_storage.exists(old):
            continue
        with default_storage.open(old, "rb") as handle:
            data = handle.read()
        digest = hashlib.sha256(data).hexdigest()
        item = item_model.objects.filter(content_type=content_type, object_id=obj.pk,
                                         sha256=digest).exclude(file="").first()
        if item is None:
            when = received(obj)
            month = (timezone.localtime(when).date() if isinstance(when, datetime.datetime)
                     else when).replace(day=1)
            name = default_storage.save(final_name(month, old), ContentFile(data))
            item_model.objects.create(
                kind=kind, content_type=content_type, object_id=obj.pk,
                client_id=client_id(obj), title=title(obj)[:200], file=name, sha256=digest,
                size=len(data), month=month,
                retention_until=retention_end(month, RETENTION_YEARS[ItemKind(kind)]),
            )
            batch_model.objects.get_or_create(month=month)
        else:
            name = item.file.name
        model.objects.filter(pk=obj.pk).update(**{field: name})
        transaction.on_commit(partial(default_storage.delete, old))
