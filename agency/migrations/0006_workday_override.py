"""One working-day table: `CalendarDay` becomes `WorkdayOverride` (rows and their history
kept, `is_working_day` becomes `kind`); `CalendarYear` goes, as a year now counts as
covered when the `chinesecalendar` package has it or staff entered overrides for it
(`agency.workdays.year_has_calendar`)."""

from django.db import migrations, models

TABLES = ("WorkdayOverride", "HistoricalWorkdayOverride")


def kind_from_flag(apps, schema_editor):
    for name in TABLES:
        model = apps.get_model("agency", name)
        model.objects.filter(is_working_day=True).update(kind="workday")
        model.objects.filter(is_working_day=False).update(kind="holiday")


def flag_from_kind(apps, schema_editor):
    for name in TABLES:
        model = apps.get_model("agency", name)
        model.objects.filter(kind="workday").update(is_working_day=True)
        model.objects.exclude(kind="workday").update(is_working_day=False)


class Migration(migrations.Migration):

    dependencies = [
        ("agency", "0005_merge_20261128_0027"),
    ]

    operations = [
        migrations.RenameModel("CalendarDay", "WorkdayOverride"),
        migrations.RenameModel("HistoricalCalendarDay", "HistoricalWorkdayOverride"),
        migrations.AddField(
            model_name="workdayoverride",
            name="kind",
            field=models.CharField(
                choices=[("holiday", "Holiday or rest day"), ("workday", "Make-up working day")],
                default="holiday", max_length=10, verbose_name="kind",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalworkdayoverride",
            name="kind",
            field=models.CharField(
                choices=[("holiday", "Holiday or rest day"), ("workday", "Make-up working day")],
                default="holiday", max_length=10, verbose_name="kind",
            ),
            preserve_default=False,
        ),
        # a reverse migration re-adds the flag with a default, so existing rows can take it
        migrations.AlterField(
            model_name="workdayoverride",
            name="is_working_day",
            field=models.BooleanField(default=False, verbose_name="working day"),
        ),
        migrations.AlterField(
            model_name="historicalworkdayoverride",
            name="is_working_day",
            field=models.BooleanField(default=False, verbose_name="working day"),
        ),
        migrations.RunPython(kind_from_flag, flag_from_kind),
        migrations.RemoveField(model_name="workdayoverride", name="is_working_day"),
        migrations.RemoveField(model_name="historicalworkdayoverride", name="is_working_day"),
        migrations.AlterModelOptions(
            name="workdayoverride",
            options={
                "ordering": ["date"],
                "verbose_name": "working-day override",
                "verbose_name_plural": "working-day overrides",
            },
        ),
        migrations.AlterModelOptions(
            name="historicalworkdayoverride",
            options={
                "get_latest_by": ("history_date", "history_id"),
                "ordering": ("-history_date", "-history_id"),
                "verbose_name": "historical working-day override",
                "verbose_name_plural": "historical working-day overrides",
            },
        ),
        migrations.DeleteModel(name="HistoricalCalendarYear"),
        migrations.DeleteModel(name="CalendarYear"),
    ]
