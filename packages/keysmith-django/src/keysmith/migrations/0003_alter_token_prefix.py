"""``Token.prefix`` becomes unique, up to 255 characters."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("keysmith", "0002_remove_token_hint_and_add_created_action"),
    ]

    operations = [
        migrations.AlterField(
            model_name="token",
            name="prefix",
            field=models.CharField(max_length=255, unique=True),
        ),
    ]
