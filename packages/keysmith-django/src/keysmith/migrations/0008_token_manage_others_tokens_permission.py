"""Adds the ``manage_others_tokens`` permission option; no schema change."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("keysmith", "0007_tokenauditlog_created_at_event_time"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="token",
            options={
                "ordering": ["-created_at"],
                "permissions": [("manage_others_tokens", "Can manage tokens of other users")],
            },
        ),
    ]
