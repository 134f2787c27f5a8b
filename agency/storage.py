"""Stored files encrypted at rest (PIPL: ID-card scans, order workbooks and e-mails hold
ID numbers).

`EncryptedFileSystemStorage` is the `default` storage: every file written through Django's
storage API (FieldFile.save, `default_storage.save`, the archive's door) lands on disk as a
Fernet token under the same keys as the encrypted fields (`FIELD_ENCRYPTION_KEYS`, newest
first; `agency.crypto`), and every read (`FieldFile.open`, `default_storage.open`) hands back
the plain bytes. Checksums, sizes and downloads therefore see the plain file, as before.

A file stored before encryption was switched on (no Fernet token prefix) is still read as it
is, so nothing breaks until `manage.py encrypt_media` has encrypted it in place; the same
command re-encrypts every file under the newest key after a key is put in front (rotation).
Nothing may read a stored file by its path (`FieldFile.path`): that is the ciphertext."""

import io
import os
from typing import IO, Any

from cryptography.fernet import Fernet, InvalidToken
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from agency.crypto import _keys, _multifernet

# Every Fernet token starts with version byte 0x80 followed by a 64-bit timestamp whose top
# bytes are zero for centuries: "gAAAAA" in url-safe base64. No PDF, image, workbook or
# e-mail starts so.
TOKEN_PREFIX = b"gAAAAA"


def is_encrypted(raw: bytes) -> bool:
    return raw.startswith(TOKEN_PREFIX)


def encrypt_bytes(data: bytes) -> bytes:
    """`data` as a Fernet token under the newest key (an empty file too: nothing is stored
    in clear)."""
    return _multifernet(_keys()).encrypt(data)


def decrypt_bytes(raw: bytes) -> bytes:
    """The plain content of a stored file: a token is decrypted with whichever configured key
    wrote it (InvalidToken if none did); a legacy plaintext file is returned as it is."""
    if not is_encrypted(raw):
        return raw
    return _multifernet(_keys()).decrypt(raw)


def rotate_bytes(raw: bytes) -> bytes:
    """A stored file's content as a token under the newest key (a plaintext file encrypted)."""
    if not is_encrypted(raw):
        return encrypt_bytes(raw)
    return _multifernet(_keys()).rotate(raw)


def _read_all(content: Any) -> bytes:
    parts = []  # File.chunks() reads from the start
    for chunk in content.chunks() if hasattr(content, "chunks") else [content.read()]:
        parts.append(chunk if isinstance(chunk, bytes) else chunk.encode())
    return b"".join(parts)


class DecryptedFile(File):
    """The plain content of a stored file, in memory. Reopening (FieldFile.open after the
    file was closed) reads and decrypts the stored file again, as reopening a file on disk
    would."""

    def __init__(self, storage: "EncryptedFileSystemStorage", name: str, mode: str) -> None:
        self._storage = storage
        super().__init__(self._stream(name, mode), name=name)
        self.mode = mode

    def _stream(self, name: str, mode: str) -> IO[Any]:
        data = self._storage.read_plain(name)
        return io.BytesIO(data) if "b" in mode else io.StringIO(data.decode())

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> "DecryptedFile":
        if not self.closed:
            self.seek(0)
        else:
            self.mode = mode or self.mode
            self.file = self._stream(self.name or "", self.mode)
        return self


class EncryptedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that encrypts on `_save` and decrypts on `_open`."""

    def _save(self, name: str, content: Any) -> str:
        token = ContentFile(encrypt_bytes(_read_all(content)))
        return super()._save(name, token)  # type: ignore[misc]  # not in django-stubs

    def _open(self, name: str, mode: str = "rb") -> File:
        if any(flag in mode for flag in "wa+x"):
            raise ValueError("encrypted storage files are written with save(), not open(mode)")
        return DecryptedFile(self, name, mode)

    def read_raw(self, name: str) -> bytes:
        """The bytes on disk (ciphertext, or plaintext of a legacy file)."""
        with open(self.path(name), "rb") as handle:
            return handle.read()

    def read_plain(self, name: str) -> bytes:
        return decrypt_bytes(self.read_raw(name))

    def size(self, name: str) -> int:
        """The plain file's size (the file on disk is larger)."""
        return len(self.read_plain(name))

    def reencrypt(self, name: str) -> str:
        """Encrypt a legacy plaintext file in place ("encrypted"), re-encrypt a token written
        under an older key ("rotated"), or leave a token under the newest key alone
        ("current"). The new content goes to a temporary file beside the old one and is
        renamed over it, so a crash leaves either the old or the new file, never half of one."""
        path = self.path(name)
        raw = self.read_raw(name)
        if not is_encrypted(raw):
            outcome, token = "encrypted", encrypt_bytes(raw)
        elif _under_newest_key(raw):
            return "current"
        else:
            outcome, token = "rotated", rotate_bytes(raw)
        temp = f"{path}{PARTIAL_SUFFIX}"
        with open(temp, "wb") as handle:
            handle.write(token)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, os.stat(path).st_mode & 0o777)
        os.replace(temp, path)
        return outcome


PARTIAL_SUFFIX = ".encrypting"


def _under_newest_key(raw: bytes) -> bool:
    try:
        Fernet(_keys()[0].encode()).decrypt(raw)
    except InvalidToken:
        return False
    return True
