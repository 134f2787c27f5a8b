"""Cities and policies move from `enrollment` into their own app.

The rows stay where they are: the six tables are renamed (enrollment_city → policies_city,
...), the models are created in the migration state only, and the content types follow,
so audit rows and permissions keep pointing at the same models. `enrollment` 0006 and
`clients` 0004 then point their foreign keys at `policies.City` (state only: the
database's constraints follow a renamed table)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

MODELS = ("city", "historicalcity", "policyversion", "historicalpolicyversion", "policyitem",
          "historicalpolicyitem")


def _rename_tables(schema_editor, old_app, new_app):
    for model in MODELS:
        schema_editor.alter_db_table(None, f"{old_app}_{model}", f"{new_app}_{model}")


def _move_content_types(apps, old_app, new_app):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=new_app, model=model).exists():
            content_type.objects.filter(app_label=old_app, model=model).update(app_label=new_app)


def forwards(apps, schema_editor):
    _rename_tables(schema_editor, "enrollment", "policies")
    _move_content_types(apps, "enrollment", "policies")


def backwards(apps, schema_editor):
    _rename_tables(schema_editor, "policies", "enrollment")
    _move_content_types(apps, "policies", "enrollment")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("enrollment", "0005_proofs"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.CreateModel(
                    name='City',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=6, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=50, verbose_name='name')),
                        ('order_cutoff_day', models.PositiveSmallIntegerField(default=15, help_text='Add/remove lines received on or before this day of the month take effect that month, later ones the next month.', verbose_name='order cut-off day')),
                    ],
                    options={
                        'verbose_name': 'city',
                        'verbose_name_plural': 'cities',
                        'ordering': ['code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('code__regex', '^[0-9]{6}$')), name='city_code_six_digits'), models.CheckConstraint(condition=models.Q(('order_cutoff_day__gte', 1), ('order_cutoff_day__lte', 31)), name='city_cutoff_day_in_month')],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalCity',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('code', models.CharField(db_index=True, max_length=6, verbose_name='code')),
                        ('name', models.CharField(max_length=50, verbose_name='name')),
                        ('order_cutoff_day', models.PositiveSmallIntegerField(default=15, help_text='Add/remove lines received on or before this day of the month take effect that month, later ones the next month.', verbose_name='order cut-off day')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical city',
                        'verbose_name_plural': 'historical cities',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalPolicyVersion',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('effective_from', models.DateField(verbose_name='effective from')),
                        ('effective_to', models.DateField(blank=True, help_text='Empty: until further notice.', null=True, verbose_name='effective to')),
                        ('notice', models.CharField(blank=True, max_length=300, verbose_name='notice')),
                        ('provisional', models.BooleanField(default=False, help_text='Continues earlier figures until the bureau announces the new ones.', verbose_name='provisional')),
                        ('locked_at', models.DateTimeField(blank=True, null=True, verbose_name='locked at')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('city', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.city', verbose_name='city')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical policy version',
                        'verbose_name_plural': 'historical policy versions',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='PolicyVersion',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('effective_from', models.DateField(verbose_name='effective from')),
                        ('effective_to', models.DateField(blank=True, help_text='Empty: until further notice.', null=True, verbose_name='effective to')),
                        ('notice', models.CharField(blank=True, max_length=300, verbose_name='notice')),
                        ('provisional', models.BooleanField(default=False, help_text='Continues earlier figures until the bureau announces the new ones.', verbose_name='provisional')),
                        ('locked_at', models.DateTimeField(blank=True, null=True, verbose_name='locked at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('city', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='policy_versions', to='policies.city', verbose_name='city')),
                    ],
                    options={
                        'verbose_name': 'policy version',
                        'verbose_name_plural': 'policy versions',
                        'ordering': ['city__code', 'effective_from'],
                    },
                ),
                migrations.CreateModel(
                    name='PolicyItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(help_text='A standard kind, or a city-specific extra item (lower-case letters, digits, _).', max_length=40, verbose_name='kind')),
                        ('label', models.CharField(blank=True, max_length=100, verbose_name='label')),
                        ('base_floor', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='base floor')),
                        ('base_ceiling', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='base ceiling')),
                        ('employer_rate', models.DecimalField(decimal_places=6, max_digits=7, verbose_name='employer rate')),
                        ('employee_rate', models.DecimalField(decimal_places=6, max_digits=7, verbose_name='employee rate')),
                        ('employer_fixed', models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='employer fixed amount')),
                        ('employee_fixed', models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='employee fixed amount')),
                        ('rounding', models.CharField(choices=[('cent_half_up', 'Half up to the cent'), ('yuan_half_up', 'Half up to the yuan')], default='cent_half_up', max_length=20, verbose_name='rounding')),
                        ('rate_choice', models.CharField(blank=True, choices=[('', 'Fixed by the policy'), ('employer', 'Client chooses the employer rate'), ('both', 'Client chooses one rate for both sides')], default='', max_length=10, verbose_name='rate chosen by the client')),
                        ('rate_min', models.DecimalField(blank=True, decimal_places=6, max_digits=7, null=True, verbose_name='lowest rate allowed')),
                        ('rate_max', models.DecimalField(blank=True, decimal_places=6, max_digits=7, null=True, verbose_name='highest rate allowed')),
                        ('confidence', models.CharField(default='official_text', max_length=200, verbose_name='confidence')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('version', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='items', to='policies.policyversion', verbose_name='policy version')),
                    ],
                    options={
                        'verbose_name': 'policy item',
                        'verbose_name_plural': 'policy items',
                        'ordering': ['version', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalPolicyItem',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('kind', models.CharField(help_text='A standard kind, or a city-specific extra item (lower-case letters, digits, _).', max_length=40, verbose_name='kind')),
                        ('label', models.CharField(blank=True, max_length=100, verbose_name='label')),
                        ('base_floor', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='base floor')),
                        ('base_ceiling', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='base ceiling')),
                        ('employer_rate', models.DecimalField(decimal_places=6, max_digits=7, verbose_name='employer rate')),
                        ('employee_rate', models.DecimalField(decimal_places=6, max_digits=7, verbose_name='employee rate')),
                        ('employer_fixed', models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='employer fixed amount')),
                        ('employee_fixed', models.DecimalField(decimal_places=2, default=0, max_digits=12, verbose_name='employee fixed amount')),
                        ('rounding', models.CharField(choices=[('cent_half_up', 'Half up to the cent'), ('yuan_half_up', 'Half up to the yuan')], default='cent_half_up', max_length=20, verbose_name='rounding')),
                        ('rate_choice', models.CharField(blank=True, choices=[('', 'Fixed by the policy'), ('employer', 'Client chooses the employer rate'), ('both', 'Client chooses one rate for both sides')], default='', max_length=10, verbose_name='rate chosen by the client')),
                        ('rate_min', models.DecimalField(blank=True, decimal_places=6, max_digits=7, null=True, verbose_name='lowest rate allowed')),
                        ('rate_max', models.DecimalField(blank=True, decimal_places=6, max_digits=7, null=True, verbose_name='highest rate allowed')),
                        ('confidence', models.CharField(default='official_text', max_length=200, verbose_name='confidence')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('version', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='policies.policyversion', verbose_name='policy version')),
                    ],
                    options={
                        'verbose_name': 'historical policy item',
                        'verbose_name_plural': 'historical policy items',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.AddConstraint(
                    model_name='policyversion',
                    constraint=models.UniqueConstraint(fields=('city', 'effective_from'), name='policyversion_one_start_per_city'),
                ),
                migrations.AddConstraint(
                    model_name='policyversion',
                    constraint=models.CheckConstraint(condition=models.Q(('effective_to__isnull', True), ('effective_to__gte', models.F('effective_from')), _connector='OR'), name='policyversion_to_after_from'),
                ),
                migrations.AddConstraint(
                    model_name='policyitem',
                    constraint=models.UniqueConstraint(fields=('version', 'kind'), name='policyitem_one_per_kind'),
                ),
                migrations.AddConstraint(
                    model_name='policyitem',
                    constraint=models.CheckConstraint(condition=models.Q(('kind__regex', '^[a-z][a-z0-9_]*$')), name='policyitem_kind_slug'),
                ),
                migrations.AddConstraint(
                    model_name='policyitem',
                    constraint=models.CheckConstraint(condition=models.Q(('base_ceiling__gte', models.F('base_floor')), ('base_floor__gte', 0)), name='policyitem_floor_le_ceiling'),
                ),
                migrations.AddConstraint(
                    model_name='policyitem',
                    constraint=models.CheckConstraint(condition=models.Q(('employee_fixed__gte', 0), ('employee_rate__gte', 0), ('employee_rate__lte', 1), ('employer_fixed__gte', 0), ('employer_rate__gte', 0), ('employer_rate__lte', 1)), name='policyitem_rates_in_0_1'),
                ),
                migrations.AddConstraint(
                    model_name='policyitem',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('rate_choice', ''), ('rate_max__isnull', True), ('rate_min__isnull', True)), models.Q(('rate_choice__in', ['employer', 'both']), ('rate_max__gte', models.F('rate_min')), ('rate_max__lte', 1), ('rate_min__gte', 0)), _connector='OR'), name='policyitem_rate_range'),
                ),
            ],
        ),
    ]
