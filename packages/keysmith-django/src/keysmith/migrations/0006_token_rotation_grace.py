"""Ours, after django-keysmith's chain: the rotation grace fields; ``key`` leaves forms."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("keysmith", "0005_alter_token_created_by_alter_token_user_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="token",
            name="previous_key",
            field=models.CharField(blank=True, editable=False, max_length=256, null=True),
        ),
        migrations.AddField(
            model_name="token",
            name="previous_key_expires_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="token",
            name="key",
            field=models.CharField(editable=False, max_length=256, unique=True),
        ),
    ]
