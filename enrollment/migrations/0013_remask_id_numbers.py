"""Re-mask every stored masked ID number (issue 17): the old mask showed the first four
characters and the last four; the new one shows the last four only. The number itself is
not needed: the stored last four and the mask's length are enough. The change history of
persons keeps masks too, so its rows are re-masked the same way (the old form there would
give the first four away). Not reversible: the first four are not kept anywhere in clear."""

from django.db import migrations


def _remask(masked: str, last4: str) -> str:
    # a copy of enrollment.persons.id_numbers.remask as it was when this was written
    if len(masked) >= 8 and last4:
        return "*" * (len(masked) - 4) + last4
    return "*" * len(masked)


def remask_all(apps, schema_editor):
    for name in ("InsuredPerson", "HistoricalInsuredPerson"):
        model = apps.get_model("enrollment", name)
        changed = []
        for row in model.objects.exclude(id_number_masked="").only(
                "pk", "id_number_masked", "id_number_last4").iterator(chunk_size=2000):
            new = _remask(row.id_number_masked, row.id_number_last4)
            if new != row.id_number_masked:
                row.id_number_masked = new
                changed.append(row)
            if len(changed) >= 2000:
                model.objects.bulk_update(changed, ["id_number_masked"])
                changed = []
        if changed:
            model.objects.bulk_update(changed, ["id_number_masked"])


class Migration(migrations.Migration):

    dependencies = [
        ("enrollment", "0012_person_export_request"),
    ]

    operations = [
        migrations.RunPython(remask_all, migrations.RunPython.noop),
    ]
