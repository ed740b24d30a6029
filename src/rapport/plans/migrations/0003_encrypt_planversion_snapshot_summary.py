# Encrypt each plan version's snapshot (the client's problems and goals in their words) and its
# summary of changes at rest, as the client's comment on the plan already is.
#
# This step turns the columns into text; 0004 encrypts the versions already stored. They are
# two migrations because PostgreSQL refuses to alter a table in the transaction that updated
# rows which other tables reference ("pending trigger events"), which going back would do.

from django.db import migrations

import rapport.fields


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_encrypt_planfeedback_comment"),
    ]

    operations = [
        migrations.AlterField(
            model_name="planversion",
            name="snapshot",
            field=rapport.fields.EncryptedJSONField(),
        ),
        migrations.AlterField(
            model_name="planversion",
            name="summary",
            field=rapport.fields.EncryptedTextField(
                help_text="What changed, in words.", max_length=300
            ),
        ),
    ]
