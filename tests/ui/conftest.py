"""The page walk works on the isolation matrix's data set (tests/security/world.py),
made once for the module and rolled back at its end: the same fixtures, imported."""

from tests.security.conftest import callers, media_root, world, world_media

__all__ = ["callers", "media_root", "world", "world_media"]
