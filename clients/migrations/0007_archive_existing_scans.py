"""Files the business-licence and signed-contract scans stored before the archive
(STD-3.4.3, STD-4.8) and moves them behind its one door (`archive.backfill`)."""

from django.db import migrations

from archive.backfill import file_existing


def forwards(apps, schema_editor):
    file_existing(apps, app_label="clients", model_name="Client", field="licence_scan",
                  kind="client_papers", title=lambda c: f"营业执照扫描件 · {c.name}",
                  client_id=lambda c: c.pk, received=lambda c: c.created_at)
    file_existing(apps, app_label="clients", model_name="Contract", field="signed_scan",
                  kind="agreement", title=lambda c: f"服务合同 {c.number} 签章扫描件",
                  client_id=lambda c: c.client_id, received=lambda c: c.created_at)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0006_webhook_bill_events"),
        ("archive", "0002_item_note"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
