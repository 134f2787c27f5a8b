"""The one door every stored file goes through (STD-5.1).

A file is written under a name that does not reveal the person (`archive/YYYY/MM/<uuid>`
plus the original extension), checksummed (SHA-256) on the way in, first under a temporary
name (`archive/incoming/`) and moved to its final name only when the transaction commits: a
rolled-back transaction leaves no archived file, and `archive_sweep_orphans` removes the
temporary and orphaned files no item points to. Django's storage API throughout, so
production can point `default_storage` at an S3-compatible store."""

import contextlib
import datetime
import errno
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from agency.errors import DomainError

ARCHIVE_ROOT = "archive"
TMP_DIR = f"{ARCHIVE_ROOT}/incoming"
ORPHAN_AGE = datetime.timedelta(hours=1)
CHUNK = 64 * 1024
_EXTENSION = re.compile(r"^\.[a-z0-9]{1,8}$")


@dataclass(frozen=True)
class Stored:
    """A file written under its temporary name, to be moved to `name` on commit."""

    name: str
    temp_name: str
    sha256: str
    size: int


def _extension(original_name: str) -> str:
    suffix = PurePosixPath(original_name.replace("\\", "/")).suffix.lower()
    return suffix if _EXTENSION.match(suffix) else ""


def final_name(month: datetime.date, original_name: str) -> str:
    """`archive/2026/03/<32 hex>.pdf`: the month and the type, never the person."""
    return (f"{ARCHIVE_ROOT}/{month:%Y}/{month:%m}/{uuid.uuid4().hex}"
            f"{_extension(original_name)}")


def _chunks(content: bytes | File) -> Iterator[bytes]:
    if isinstance(content, bytes):
        yield content
        return
    if hasattr(content, "seek"):
        content.seek(0)
    for chunk in content.chunks(CHUNK):
        yield chunk if isinstance(chunk, bytes) else chunk.encode()


def checksum(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def stored_checksum(name: str) -> str:
    with default_storage.open(name, "rb") as stream:
        return checksum(stream)


def write_temporary(content: bytes | File, *, month: datetime.date,
                    original_name: str) -> Stored:
    """Write `content` under a temporary name and compute its checksum on the way in."""
    digest = hashlib.sha256()
    size = 0
    parts: list[bytes] = []
    for chunk in _chunks(content):
        digest.update(chunk)
        size += len(chunk)
        parts.append(chunk)
    wanted = f"{TMP_DIR}/{uuid.uuid4().hex}.part"
    name = final_name(month, original_name)
    try:
        temp_name = default_storage.save(wanted, ContentFile(b"".join(parts)))
        _make_folder(name)  # now, so that the move on commit needs no new space
    except OSError as exc:
        _discard(wanted)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            raise StorageFull from exc
        raise
    return Stored(name=name, temp_name=temp_name, sha256=digest.hexdigest(), size=size)


class StorageFull(DomainError):
    """The disk (or quota) is full: the upload is refused whole, nothing points at it."""

    def __init__(self) -> None:
        super().__init__(
            code="storage_full", status=507,
            message="存储空间已满，文件未能保存，请通知管理员 / The file store is full: the "
                    "file was not saved; please tell the administrator",
        )


def _discard(name: str) -> None:
    with contextlib.suppress(OSError):
        default_storage.delete(name)


def _filesystem_path(name: str) -> str | None:
    try:
        return str(default_storage.path(name))
    except NotImplementedError:  # an object store: no paths
        return None


def _make_folder(name: str) -> None:
    path = _filesystem_path(name)
    if path is not None:
        os.makedirs(os.path.dirname(path), exist_ok=True)


def move_on_commit(stored: Stored) -> None:
    """Give the file its final name once the transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _move(stored.temp_name, stored.name))


def _move(temp_name: str, name: str) -> None:
    """On a filesystem a rename: it needs no space, so a full disk cannot leave a row that
    points at a file that never arrived. Elsewhere a copy through the storage API."""
    source, target = _filesystem_path(temp_name), _filesystem_path(name)
    if source is not None and target is not None:
        if os.path.exists(target):
            raise RuntimeError(f"archive file name {name} was taken")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.replace(source, target)
        return
    with default_storage.open(temp_name, "rb") as stream:
        saved = default_storage.save(name, File(stream))
    if saved != name:  # a uuid name is never taken; refuse to leave a wrong pointer quietly
        default_storage.delete(saved)
        raise RuntimeError(f"archive file name {name} was taken")
    default_storage.delete(temp_name)


def delete_on_commit(name: str) -> None:
    transaction.on_commit(lambda: default_storage.delete(name))


def walk(folder: str = ARCHIVE_ROOT) -> Iterator[str]:
    """Every file name under `folder` in the storage."""
    if not default_storage.exists(folder):
        return
    dirs, files = default_storage.listdir(folder)
    for f in files:
        yield f"{folder}/{f}"
    for d in dirs:
        yield from walk(f"{folder}/{d}")


def is_old(name: str, *, now: datetime.datetime, age: datetime.timedelta = ORPHAN_AGE) -> bool:
    modified = default_storage.get_modified_time(name)
    if timezone.is_naive(modified):
        modified = timezone.make_aware(modified)
    return modified <= now - age
