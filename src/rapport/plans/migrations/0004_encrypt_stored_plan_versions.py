# Encrypt the plan versions stored before 0003 (snapshot and summary), so nothing is lost.
# Reversible: going back decrypts them; 0003's reverse then restores the columns' types.

from django.db import migrations

import rapport.fields

FIELDS = ("snapshot", "summary")


def encrypt_versions(apps, schema_editor):
    PlanVersion = apps.get_model("plans", "PlanVersion")
    for field in FIELDS:
        rapport.fields.encrypt_column(schema_editor.connection, PlanVersion, field)


def decrypt_versions(apps, schema_editor):
    PlanVersion = apps.get_model("plans", "PlanVersion")
    for field in FIELDS:
        rapport.fields.decrypt_column(schema_editor.connection, PlanVersion, field)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_encrypt_planversion_snapshot_summary"),
    ]

    operations = [
        migrations.RunPython(encrypt_versions, decrypt_versions, elidable=False),
    ]
