"""Files what roster orders and persons' papers stored before the archive (STD-3.4.3):
every order workbook, sealed scan and e-mail, every paper, becomes an archive item and is
moved behind the archive's one door (`archive.backfill`)."""

from django.db import migrations
from django.utils import translation

from archive.backfill import file_existing
from enrollment.models import Paper

ORDER_FILES = (("source_file", "order_papers", "增减员表"),
               ("sealed_scan", "order_papers", "盖章增减员表扫描件"),
               ("correspondence", "correspondence", "派单邮件"))


def forwards(apps, schema_editor):
    for field, kind, label in ORDER_FILES:
        file_existing(apps, app_label="enrollment", model_name="RosterOrder", field=field,
                      kind=kind, title=lambda o, label=label: f"派单 #{o.pk} {label}",
                      client_id=lambda o: o.client_id, received=lambda o: o.received_at)
    with translation.override("zh-hans"):
        _file_papers(apps)


def _kind_label(kind):
    # the migration state keeps the English labels; the archive titles are Chinese
    return str(dict(Paper.Kind.choices).get(kind, kind))


def _file_papers(apps):
    file_existing(apps, app_label="enrollment", model_name="Paper", field="file",
                  kind="client_papers",
                  title=lambda p: f"{_kind_label(p.kind)} · 参保人 #{p.person_id}",
                  client_id=lambda p: p.client_id, received=lambda p: p.uploaded_at)


class Migration(migrations.Migration):
    dependencies = [
        ("enrollment", "0009_enrollment_billed_through"),
        ("archive", "0002_item_note"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
