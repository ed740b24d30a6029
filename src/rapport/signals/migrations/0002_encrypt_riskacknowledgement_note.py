# Encrypt clinicians' notes on risk items at rest (issue 6, "Data protection").
#
# The column stays text, now holding a Fernet token; the data step encrypts the notes already
# stored. Reversible: going back decrypts them.

from django.db import migrations

import rapport.fields


def encrypt_notes(apps, schema_editor):
    RiskAcknowledgement = apps.get_model("clinical_signals", "RiskAcknowledgement")
    rapport.fields.encrypt_column(schema_editor.connection, RiskAcknowledgement, "note")


def decrypt_notes(apps, schema_editor):
    RiskAcknowledgement = apps.get_model("clinical_signals", "RiskAcknowledgement")
    rapport.fields.decrypt_column(schema_editor.connection, RiskAcknowledgement, "note")


class Migration(migrations.Migration):
    dependencies = [
        ("clinical_signals", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="riskacknowledgement",
            name="note",
            field=rapport.fields.EncryptedTextField(
                help_text="What was done, e.g. 'Risk assessed by phone; safety plan.'",
                max_length=2000,
            ),
        ),
        migrations.RunPython(encrypt_notes, decrypt_notes, elidable=False),
    ]
