"""The persons of each client (enrollment.models.client_person), kept by triggers on
enrolments, roster lines and persons, and filled from what is there today."""

import django.db.models.deletion
from django.db import migrations, models


# A pair (client, person) belongs in the table while an enrolment or a roster line of the
# client's relates them; the person's name rides along for the list's order.
RELATED = """
    EXISTS (SELECT 1 FROM enrollment_enrollment e
            WHERE e.client_id = {c} AND e.person_id = {p})
    OR EXISTS (SELECT 1 FROM enrollment_rosterline l
               JOIN enrollment_rosterorder o ON o.id = l.order_id
               WHERE o.client_id = {c} AND l.person_id = {p})"""

FILL = """
INSERT INTO enrollment_clientperson (client_id, person_id, name)
SELECT pairs.client_id, pairs.person_id, p.name
FROM (SELECT client_id, person_id FROM enrollment_enrollment
      UNION
      SELECT o.client_id, l.person_id FROM enrollment_rosterline l
      JOIN enrollment_rosterorder o ON o.id = l.order_id) AS pairs
JOIN enrollment_insuredperson p ON p.id = pairs.person_id"""

# PostgreSQL: inserts by statement (a COPY of 10,000 roster lines is one INSERT … SELECT
# over its transition table), updates and deletes by row (rare).
POSTGRESQL = [
    f"""
CREATE FUNCTION enrollment_client_person_sync(c bigint, p bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF c IS NULL OR p IS NULL THEN RETURN; END IF;
    IF {RELATED.format(c="c", p="p")} THEN
        INSERT INTO enrollment_clientperson (client_id, person_id, name)
        SELECT c, p, name FROM enrollment_insuredperson WHERE id = p
        ON CONFLICT (client_id, person_id) DO NOTHING;
    ELSE
        DELETE FROM enrollment_clientperson WHERE client_id = c AND person_id = p;
    END IF;
END $$""",
    """
CREATE FUNCTION enrollment_client_person_enrolled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO enrollment_clientperson (client_id, person_id, name)
    SELECT DISTINCT n.client_id, n.person_id, p.name FROM new_rows n
    JOIN enrollment_insuredperson p ON p.id = n.person_id
    ON CONFLICT (client_id, person_id) DO NOTHING;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER enrollment_client_person_enrolled AFTER INSERT ON enrollment_enrollment
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION enrollment_client_person_enrolled()""",
    """
CREATE FUNCTION enrollment_client_person_lined() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO enrollment_clientperson (client_id, person_id, name)
    SELECT DISTINCT o.client_id, n.person_id, p.name FROM new_rows n
    JOIN enrollment_rosterorder o ON o.id = n.order_id
    JOIN enrollment_insuredperson p ON p.id = n.person_id
    ON CONFLICT (client_id, person_id) DO NOTHING;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER enrollment_client_person_lined AFTER INSERT ON enrollment_rosterline
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION enrollment_client_person_lined()""",
    """
CREATE FUNCTION enrollment_client_person_enrolment_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM enrollment_client_person_sync(OLD.client_id, OLD.person_id);
    IF TG_OP = 'UPDATE' THEN
        PERFORM enrollment_client_person_sync(NEW.client_id, NEW.person_id);
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER enrollment_client_person_enrolment_changed
AFTER DELETE OR UPDATE OF client_id, person_id ON enrollment_enrollment
FOR EACH ROW EXECUTE FUNCTION enrollment_client_person_enrolment_changed()""",
    """
CREATE FUNCTION enrollment_client_person_line_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM enrollment_client_person_sync(
        (SELECT client_id FROM enrollment_rosterorder WHERE id = OLD.order_id), OLD.person_id);
    IF TG_OP = 'UPDATE' THEN
        PERFORM enrollment_client_person_sync(
            (SELECT client_id FROM enrollment_rosterorder WHERE id = NEW.order_id),
            NEW.person_id);
    END IF;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER enrollment_client_person_line_changed
AFTER DELETE OR UPDATE OF order_id, person_id ON enrollment_rosterline
FOR EACH ROW EXECUTE FUNCTION enrollment_client_person_line_changed()""",
    """
CREATE FUNCTION enrollment_client_person_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE enrollment_clientperson SET name = NEW.name WHERE person_id = NEW.id;
    RETURN NULL;
END $$""",
    """
CREATE TRIGGER enrollment_client_person_renamed AFTER UPDATE OF name
ON enrollment_insuredperson FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION enrollment_client_person_renamed()""",
]

POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS enrollment_client_person_renamed ON enrollment_insuredperson",
    "DROP TRIGGER IF EXISTS enrollment_client_person_line_changed ON enrollment_rosterline",
    "DROP TRIGGER IF EXISTS enrollment_client_person_lined ON enrollment_rosterline",
    "DROP TRIGGER IF EXISTS enrollment_client_person_enrolment_changed ON enrollment_enrollment",
    "DROP TRIGGER IF EXISTS enrollment_client_person_enrolled ON enrollment_enrollment",
    "DROP FUNCTION IF EXISTS enrollment_client_person_renamed()",
    "DROP FUNCTION IF EXISTS enrollment_client_person_line_changed()",
    "DROP FUNCTION IF EXISTS enrollment_client_person_lined()",
    "DROP FUNCTION IF EXISTS enrollment_client_person_enrolment_changed()",
    "DROP FUNCTION IF EXISTS enrollment_client_person_enrolled()",
    "DROP FUNCTION IF EXISTS enrollment_client_person_sync(bigint, bigint)",
]


def _sqlite_drop(old: str) -> str:
    return f"""
    DELETE FROM enrollment_clientperson
    WHERE client_id = {old.format(col="client_id")} AND person_id = OLD.person_id
      AND NOT ({RELATED.format(c=old.format(col="client_id"), p="OLD.person_id")});"""


def _sqlite_add(new: str) -> str:
    return f"""
    INSERT OR IGNORE INTO enrollment_clientperson (client_id, person_id, name)
    SELECT {new}, NEW.person_id, name FROM enrollment_insuredperson
    WHERE id = NEW.person_id AND {new} IS NOT NULL;"""


_ORDER_CLIENT = "(SELECT client_id FROM enrollment_rosterorder WHERE id = {row}.order_id)"

# SQLite (the make run default): triggers are by row there.
SQLITE = [
    f"""CREATE TRIGGER enrollment_client_person_enrolled AFTER INSERT ON enrollment_enrollment
BEGIN {_sqlite_add("NEW.client_id")} END""",
    f"""CREATE TRIGGER enrollment_client_person_lined AFTER INSERT ON enrollment_rosterline
BEGIN {_sqlite_add(_ORDER_CLIENT.format(row="NEW"))} END""",
    f"""CREATE TRIGGER enrollment_client_person_unenrolled AFTER DELETE ON enrollment_enrollment
BEGIN {_sqlite_drop("OLD.{col}")} END""",
    f"""CREATE TRIGGER enrollment_client_person_enrolment_changed
AFTER UPDATE OF client_id, person_id ON enrollment_enrollment
BEGIN {_sqlite_drop("OLD.{col}")} {_sqlite_add("NEW.client_id")} END""",
    f"""CREATE TRIGGER enrollment_client_person_unlined AFTER DELETE ON enrollment_rosterline
BEGIN {_sqlite_drop(_ORDER_CLIENT.format(row="OLD"))} END""",
    f"""CREATE TRIGGER enrollment_client_person_line_changed
AFTER UPDATE OF order_id, person_id ON enrollment_rosterline
BEGIN {_sqlite_drop(_ORDER_CLIENT.format(row="OLD"))}
      {_sqlite_add(_ORDER_CLIENT.format(row="NEW"))} END""",
    """CREATE TRIGGER enrollment_client_person_renamed AFTER UPDATE OF name
ON enrollment_insuredperson WHEN OLD.name IS NOT NEW.name
BEGIN UPDATE enrollment_clientperson SET name = NEW.name WHERE person_id = NEW.id; END""",
]

SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS enrollment_client_person_{name}" for name in (
        "enrolled", "lined", "unenrolled", "enrolment_changed", "unlined", "line_changed",
        "renamed")
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"enrollment_clientperson has no triggers for {vendor}")
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement, params=None)
    schema_editor.execute(FILL, params=None)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in POSTGRESQL_DROP if vendor == "postgresql" else SQLITE_DROP:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0008_webhook_case_event'),
        ('enrollment', '0015_order_import'),
    ]

    operations = [
        migrations.CreateModel(
            name='ClientPerson',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
            ],
            options={
                'verbose_name': 'person of a client',
                'verbose_name_plural': 'persons of clients',
            },
        ),
        migrations.AddIndex(
            model_name='insuredperson',
            index=models.Index(fields=['name', 'id'], name='person_by_name'),
        ),
        migrations.AddField(
            model_name='clientperson',
            name='client',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clients.client', verbose_name='client'),
        ),
        migrations.AddField(
            model_name='clientperson',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='enrollment.insuredperson', verbose_name='person'),
        ),
        migrations.AddIndex(
            model_name='clientperson',
            index=models.Index(fields=['client', 'name', 'person'], name='client_person_by_name'),
        ),
        migrations.AddConstraint(
            model_name='clientperson',
            constraint=models.UniqueConstraint(fields=('client', 'person'), name='client_person_unique'),
        ),
        migrations.RunPython(install, uninstall),
    ]
