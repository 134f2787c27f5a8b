"""Insert many rows of a model at once, with their django-simple-history rows.

A 10,000-line roster import writes ~70,000 rows, which the ORM's bulk_create (and
simple_history's bulk_create_with_history, which builds a model instance per history row)
needs many seconds to render as SQL. Here the values are read from the objects once, the
history rows are the same values plus the history columns, and both go in raw:

- PostgreSQL: ids are reserved from the table's sequence in one query, rows and history
  go in with COPY;
- SQLite (the `make run` default): one executemany INSERT per table inside the caller's
  transaction; the rows' ids are the consecutive ones ending at last_insert_rowid() (the
  transaction holds SQLite's write lock from its first write, and the AUTOINCREMENT ids of
  one statement follow each other), checked by a count;
- any other database: simple_history's bulk_create_with_history.

Rows get their `pk`; field defaults, auto_now(_add) and pre_save run as in save()."""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

from agency.models import User

M = TypeVar("M", bound=models.Model)


# values psycopg adapts as they are (str, int, bool, date, aware datetime, Decimal, None)
PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
                models.ForeignKey, models.AutoField, models.BigAutoField, models.UUIDField,
                models.DateField, models.DecimalField)
# what sqlite3 binds as it is; dates, times and decimals go through the field (Django's
# own text forms, UTC for aware datetimes)
SQLITE_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField,
                       models.BooleanField, models.ForeignKey, models.AutoField,
                       models.BigAutoField)


def _quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def _reader(field: models.Field, connection: Any) -> Callable[[models.Model], Any]:
    """How to read one field's database value from an unsaved object, fast."""
    attname = field.attname
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    plain = SQLITE_PLAIN_FIELDS if connection.vendor == "sqlite" else PLAIN_FIELDS
    if isinstance(field, plain) and not automatic:
        return lambda obj: getattr(obj, attname)
    if isinstance(field, models.JSONField) and connection.vendor == "postgresql":
        # COPY takes the JSON text; adapt_json_value's Jsonb wrapper costs more per row
        encoder = field.encoder

        def json_text(obj: models.Model) -> Any:
            value = field.get_prep_value(getattr(obj, attname))
            return None if value is None else json.dumps(value, cls=encoder)

        return json_text
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


def new_objects(model: type[M], rows: Iterable[Mapping[str, Any]]) -> list[M]:
    """Unsaved instances of `model` from dicts keyed by field attname ("order_id", not
    "order"), missing fields taking their defaults: what `model(**row)` makes, at about
    half the cost (the positional constructor Django itself uses for rows it reads)."""
    fields = [(f.attname, f.get_default) for f in model._meta.concrete_fields]
    return [model(*[row[name] if name in row else default() for name, default in fields])
            for row in rows]


def _insert_sqlite(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    names = ", ".join(_quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    statement = f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.executemany(statement, rows)


def _sqlite_ids(model: type[models.Model], count: int) -> list[int]:
    """The ids of the `count` rows just inserted (see the module's doc)."""
    table, pk = _quote(model._meta.db_table), _quote(model._meta.pk.column)
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT last_insert_rowid()")
        last = int(cursor.fetchone()[0])
        first = last - count + 1
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {pk} BETWEEN %s AND %s",  # noqa: S608
                       [first, last])
        if cursor.fetchone()[0] != count:
            raise RuntimeError(f"bulk insert into {table}: the new ids are not consecutive")
    return list(range(first, last + 1))


def bulk_insert_with_history(
    objs: Sequence[M], model: type[M], *, user: User | None = None
) -> list[M]:
    """Insert `objs` (new, unsaved) and one '+' history row each; returns them with pks."""
    objs = list(objs)
    if not objs:
        return objs
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor not in ("postgresql", "sqlite"):
        from simple_history.utils import bulk_create_with_history

        created: list[M] = bulk_create_with_history(objs, model, batch_size=1000,
                                                    default_user=user)
        return created
    connection.ensure_connection()
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
            obj.pk = pk
    pk_field = model._meta.pk
    # on SQLite the database numbers the rows
    fields = [f for f in model._meta.concrete_fields if postgresql or f is not pk_field]
    readers = [_reader(f, connection) for f in fields]
    rows = []
    for obj in objs:
        rows.append([read(obj) for read in readers])
        obj._state.adding = False
        obj._state.db = connection.alias
    if postgresql:
        _copy(model._meta.db_table, [f.column for f in fields], rows)
    else:
        if not connection.in_atomic_block:
            raise RuntimeError("bulk_insert_with_history runs inside a transaction on SQLite")
        _insert_sqlite(model._meta.db_table, [f.column for f in fields], rows)
        for obj, row, pk in zip(objs, rows, _sqlite_ids(model, len(objs)), strict=True):
            obj.pk = pk
            row.append(pk)
        fields.append(pk_field)

    history_model = getattr(model, "history").model  # noqa: B009 - set by HistoricalRecords
    history_date = timezone.now()
    if not postgresql:
        history_date = history_model._meta.get_field("history_date").get_db_prep_save(
            history_date, connection)
    special = {"history_date": history_date, "history_type": "+",
               "history_change_reason": None,
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
    columns = [f.column for f in history_fields]
    if postgresql:
        _copy(history_model._meta.db_table, columns, history_rows)
    else:
        _insert_sqlite(history_model._meta.db_table, columns, history_rows)
    return objs
