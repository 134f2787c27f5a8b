import datetime

from agency.roles import Role
from archive.models import ArchiveItem, ItemKind
from archive.services import archive_store
from tests.factories import UserFactory


def store(
    content: bytes = b"%PDF-1.4 contract", *, month: datetime.date = datetime.date(2026, 3, 1),
    kind: ItemKind = ItemKind.CLIENT_PAPERS, client_id: int | None = 7, retention_years: int = 10,
    name: str = "张三-身份证.pdf", actor=None,
) -> ArchiveItem:
    return archive_store(content=content, original_name=name, kind=kind, client_id=client_id,
                         month=month, retention_years=retention_years,
                         actor=actor or UserFactory(role=Role.ARCHIVIST))
