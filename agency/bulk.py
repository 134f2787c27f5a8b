"""Insert many rows of a model at once, with their django-simple-history rows.

On PostgreSQL, ids are reserved from the table's sequence in one query and the rows and
their history go in with COPY: a 10,000-line roster import writes ~70,000 rows, which the
ORM's bulk_create needs many seconds to render as SQL. Elsewhere (the embedded SQLite
default) it falls back to simple_history's bulk_create_with_history.

Rows get their `pk`; field defaults, auto_now(_add) and pre_save run as in save()."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from agency.models import User

M = TypeVar("M", bound=models.Model)


# values psycopg adapts as they are (str, int, bool, date, aware datetime, Decimal, None)
PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
                models.ForeignKey, models.AutoField, models.BigAutoField, models.UUIDField,
                models.DateField, models.DecimalField)


def _quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def _reader(field: models.Field, connection: Any) -> Callable[[models.Model], Any]:
    """How to read one field's database value from an unsaved object, fast."""
    attname = field.attname
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if isinstance(field, PLAIN_FIELDS) and not automatic:
        return lambda obj: getattr(obj, attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def _reserve_ids(model: type[models.Model], count: int) -> list[int]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    statement = f"COPY {_quote(table)} ({', '.join(_quote(c) for c in columns)}) FROM STDIN"
    connection = connections[DEFAULT_DB_ALIAS]
    # psycopg's own cursor raises psycopg's errors: wrap them as Django's (a unique index a
    # concurrent request filled first is an IntegrityError the caller can answer as 409)
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        raw = wrapper.cursor  # the psycopg cursor
        with raw.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def bulk_insert_with_history(
    objs: Sequence[M], model: type[M], *, user: User | None = None
) -> list[M]:
    """Insert `objs` (new, unsaved) and one '+' history row each; returns them with pks."""
    objs = list(objs)
    if not objs:
        return objs
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        from simple_history.utils import bulk_create_with_history

        created: list[M] = bulk_create_with_history(objs, model, batch_size=1000,
                                                    default_user=user)
        return created
    connection.ensure_connection()
    for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
    fields = list(model._meta.concrete_fields)
    readers = [_reader(f, connection) for f in fields]
    rows = []
    for obj in objs:
        rows.append([read(obj) for read in readers])
        obj._state.adding = False
        obj._state.db = connection.alias
    _copy(model._meta.db_table, [f.column for f in fields], rows)

    history_model = getattr(model, "history").model  # noqa: B009 - set by HistoricalRecords
    now = timezone.now()
    special = {"history_date": now, "history_type": "+", "history_change_reason": None,
               "history_user_id": user.pk if user is not None else None}
    history_fields = [f for f in history_model._meta.concrete_fields if f.name != "history_id"]
    # the history copies each row's values as they were prepared for the table (a JSON
    # field's adapter, a timestamp set by pre_save)
    position = {f.attname: i for i, f in enumerate(fields)}
    history_rows = [
        [special[f.attname] if f.attname in special
         else row[position[f.attname]] if f.attname in position else getattr(obj, f.attname)
         for f in history_fields]
        for obj, row in zip(objs, rows, strict=True)
    ]
    _copy(history_model._meta.db_table, [f.column for f in history_fields], history_rows)
    return objs
