# Encrypt the client's comment on their plan at rest (issue 6, "Data protection").
#
# The column stays text, now holding a Fernet token; the data step encrypts the comments
# already stored. Reversible: going back decrypts them.

from django.db import migrations

import rapport.fields


def encrypt_comments(apps, schema_editor):
    PlanFeedback = apps.get_model("plans", "PlanFeedback")
    rapport.fields.encrypt_column(schema_editor.connection, PlanFeedback, "comment")


def decrypt_comments(apps, schema_editor):
    PlanFeedback = apps.get_model("plans", "PlanFeedback")
    rapport.fields.decrypt_column(schema_editor.connection, PlanFeedback, "comment")


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="planfeedback",
            name="comment",
            field=rapport.fields.EncryptedTextField(blank=True, max_length=2000),
        ),
        migrations.RunPython(encrypt_comments, decrypt_comments, elidable=False),
    ]
