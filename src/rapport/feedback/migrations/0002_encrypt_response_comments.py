# Encrypt clients' and therapists' free-text comments at rest (issue 6, "Data protection").
#
# The column becomes text holding a Fernet token; the data step encrypts the comments already
# stored, so nothing is lost. Reversible: going back decrypts them, then restores the JSON column.

from django.db import migrations

import rapport.fields


def encrypt_comments(apps, schema_editor):
    Response = apps.get_model("feedback", "Response")
    rapport.fields.encrypt_column(schema_editor.connection, Response, "comments")


def decrypt_comments(apps, schema_editor):
    Response = apps.get_model("feedback", "Response")
    rapport.fields.decrypt_column(schema_editor.connection, Response, "comments")


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="response",
            name="comments",
            field=rapport.fields.EncryptedJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(encrypt_comments, decrypt_comments, elidable=False),
    ]
