from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="clinic",
            name="require_two_factor",
            field=models.BooleanField(
                default=False,
                help_text="Every staff member must sign in with a code from an authenticator app.",
            ),
        ),
    ]
