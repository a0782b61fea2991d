"""Drops ``Token.hint``; adds the ``created`` audit action."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("keysmith", "0001_initial"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="token",
            name="hint",
        ),
        migrations.AlterField(
            model_name="tokenauditlog",
            name="action",
            field=models.CharField(
                choices=[
                    ("auth_success", "Authentication Success"),
                    ("auth_failed", "Authentication Failed"),
                    ("created", "Token Created"),
                    ("revoked", "Token Revoked"),
                    ("rotated", "Token Rotated"),
                ],
                max_length=64,
            ),
        ),
    ]
