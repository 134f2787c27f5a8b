"""Cities and policies now live in the `policies` app (see `policies` 0001): the city foreign
keys point there and the old models leave the state (state only; no table is dropped)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0004_city_in_policies'),
        ('enrollment', '0005_proofs'),
        ('policies', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='enrollment',
                name='city',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='enrollments', to='policies.city', verbose_name='city'),
            ),
            migrations.AlterField(
                model_name='historicalenrollment',
                name='city',
                field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.city', verbose_name='city'),
            ),
            migrations.RemoveField(
                model_name='historicalpolicyversion',
                name='city',
            ),
            migrations.RemoveField(
                model_name='policyversion',
                name='city',
            ),
            migrations.AlterField(
                model_name='rosterline',
                name='city',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='roster_lines', to='policies.city', verbose_name='city'),
            ),
            migrations.AlterField(
                model_name='historicalrosterline',
                name='city',
                field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.city', verbose_name='city'),
            ),
            migrations.RemoveField(
                model_name='historicalcity',
                name='history_user',
            ),
            migrations.RemoveField(
                model_name='historicalpolicyitem',
                name='history_user',
            ),
            migrations.RemoveField(
                model_name='historicalpolicyitem',
                name='version',
            ),
            migrations.RemoveField(
                model_name='historicalpolicyversion',
                name='history_user',
            ),
            migrations.RemoveField(
                model_name='policyitem',
                name='version',
            ),
            migrations.DeleteModel(
                name='City',
            ),
            migrations.DeleteModel(
                name='HistoricalCity',
            ),
            migrations.DeleteModel(
                name='HistoricalPolicyItem',
            ),
            migrations.DeleteModel(
                name='HistoricalPolicyVersion',
            ),
            migrations.DeleteModel(
                name='PolicyItem',
            ),
            migrations.DeleteModel(
                name='PolicyVersion',
            ),
        ]),
    ]
