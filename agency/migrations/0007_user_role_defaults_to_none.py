"""A new user's role defaults to none (no staff or portal right) instead of administrator;
the check constraint lets a user without a role exist only without a client, and
`createsuperuser` (the user manager) sets administrator itself."""

import agency.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agency', '0006_workday_override'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('clients', '0008_webhook_case_event'),
    ]

    operations = [
        migrations.AlterModelManagers(
            name='user',
            managers=[
                ('objects', agency.models.AgencyUserManager()),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='user',
            name='user_portal_role_has_client',
        ),
        migrations.AlterField(
            model_name='historicaluser',
            name='role',
            field=models.CharField(choices=[('admin', 'Administrator'), ('manager', 'Manager'), ('service_rep', 'Service representative'), ('finance', 'Finance'), ('archivist', 'Archivist'), ('client_admin', 'Client administrator'), ('client_viewer', 'Client viewer')], default='', max_length=20, verbose_name='role'),
        ),
        migrations.AlterField(
            model_name='user',
            name='role',
            field=models.CharField(choices=[('admin', 'Administrator'), ('manager', 'Manager'), ('service_rep', 'Service representative'), ('finance', 'Finance'), ('archivist', 'Archivist'), ('client_admin', 'Client administrator'), ('client_viewer', 'Client viewer')], default='', max_length=20, verbose_name='role'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('client__isnull', False), ('role__in', ['client_admin', 'client_viewer'])), models.Q(('client__isnull', True), ('role__in', ['admin', 'archivist', 'finance', 'manager', 'service_rep'])), models.Q(('client__isnull', True), ('role', '')), _connector='OR'), name='user_portal_role_has_client', violation_error_message='Portal users must belong to exactly one client; staff users to none.'),
        ),
    ]
