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


class EncryptedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that encrypts on `_save` and decrypts on `_open`."""

    def _save(self, name: str, content: Any) -> str:
        return super()._save(name, ContentFile(encrypt_bytes(_read_all(content))))

    def _open(self, name: str, mode: str = "rb") -> File:
        if any(flag in mode for flag in "wa+x"):
            raise ValueError("encrypted storage files are written with save(), not open(mode)")
        data = self.read_plain(name)
        stream: IO[Any] = io.BytesIO(data) if "b" in mode else io.StringIO(data.decode())
        return File(stream, name=name)

    def read_raw(self, name: str) -> bytes:
        """The bytes on disk (ciphertext, or plaintext of a legacy file)."""
        with open(self.path(name), "rb") as handle:
            return handle.read()

    def read_plain(self, name: str) -> bytes:
        return decrypt_bytes(self.read_raw(name))

    def size(self, name: str) -> int:
        """The plain file's size (the file on disk is larger)."""
        return len(self.read_plain(name))

    def reencrypt(self, name: str) -> bool:
        """Encrypt a legacy plaintext file in place, or re-encrypt a token under the newest
        key. Written to a temporary file beside it and renamed over it, so a crash leaves
        either the old or the new file, never half of one. True when the file was changed
        from plaintext (False: it was a token, now under the newest key)."""
        path = self.path(name)
        raw = self.read_raw(name)
        was_plain = not is_encrypted(raw)
        token = rotate_bytes(raw)
        temp = f"{path}.encrypting"
        with open(temp, "wb") as handle:
            handle.write(token)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, os.stat(path).st_mode & 0o777)
        os.replace(temp, path)
        return was_plain
