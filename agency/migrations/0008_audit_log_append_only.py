"""The audit log is append-only: the action choices name every action the services write,
and on PostgreSQL a trigger refuses UPDATE and DELETE of its rows, whoever asks (the
application, the admin, a shell, a hand-written SQL statement). A retention clean-up, if
ever wanted, has to be a deliberate migration or a DBA's act that drops the trigger."""

from django.db import migrations, models

CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION agency_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'agency_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS agency_auditevent_append_only ON agency_auditevent;
CREATE TRIGGER agency_auditevent_append_only
    BEFORE UPDATE OR DELETE ON agency_auditevent
    FOR EACH ROW EXECUTE FUNCTION agency_auditevent_append_only();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS agency_auditevent_append_only ON agency_auditevent;
DROP FUNCTION IF EXISTS agency_auditevent_append_only();
"""


def _create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def _drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('agency', '0007_user_role_defaults_to_none'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[
                ('login', 'Login'),
                ('login_failed', 'Failed login'),
                ('logout', 'Logout'),
                ('reveal', 'Reveal personal data'),
                ('export', 'Export'),
                ('import', 'Import'),
                ('download', 'Download'),
                ('bill_issued', 'Bill issued'),
                ('policy_changed', 'Policy changed'),
                ('user_created', 'User created'),
                ('user_role_changed', 'User role changed'),
                ('user_deactivated', 'User deactivated'),
                ('user_reactivated', 'User reactivated'),
                ('user_changed', 'User rights changed'),
                ('user_password_set', 'User password set'),
                ('user_deleted', 'User deleted'),
                ('api_key_issued', 'API key issued'),
                ('api_key_revoked', 'API key revoked'),
                ('archive.batch_close', 'Archive batch closed'),
                ('archive.destroy', 'Archive item destroyed'),
                ('other', 'Other'),
            ], max_length=30, verbose_name='action'),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='request_id',
            field=models.CharField(blank=True, max_length=64, verbose_name='request id'),
        ),
        migrations.RunPython(_create_trigger, _drop_trigger, elidable=False),
    ]
