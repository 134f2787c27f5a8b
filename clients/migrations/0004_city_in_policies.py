"""The city foreign keys point at `policies.City` (state only: the table was renamed by
`policies` 0001 and the database's constraints followed it)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0003_merge_20261128_0027'),
        ('policies', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='client',
                name='city',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='clients', to='policies.city', verbose_name='city'),
            ),
            migrations.AlterField(
                model_name='contractprice',
                name='city',
                field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='policies.city', verbose_name='city'),
            ),
            migrations.AlterField(
                model_name='historicalclient',
                name='city',
                field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.city', verbose_name='city'),
            ),
            migrations.AlterField(
                model_name='historicalcontractprice',
                name='city',
                field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.city', verbose_name='city'),
            ),
        ]),
    ]
