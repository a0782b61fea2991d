"""Custom token and audit models for the swapping tests."""

from __future__ import annotations

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TokenWithoutUsage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=256)),
                ("prefix", models.CharField(max_length=255)),
            ],
        ),
        migrations.CreateModel(
            name="CustomToken",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("name", models.CharField(max_length=128)),
                ("description", models.TextField(blank=True)),
                (
                    "token_type",
                    models.CharField(
                        choices=[("user", "User"), ("system", "System")],
                        default="user",
                        max_length=10,
                    ),
                ),
                ("key", models.CharField(editable=False, max_length=256, unique=True)),
                ("prefix", models.CharField(max_length=255, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked", models.BooleanField(default=False)),
                ("purged", models.BooleanField(default=False)),
                (
                    "previous_key",
                    models.CharField(blank=True, editable=False, max_length=256, null=True),
                ),
                (
                    "previous_key_expires_at",
                    models.DateTimeField(blank=True, editable=False, null=True),
                ),
                ("team", models.CharField(blank=True, max_length=64)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="%(app_label)s_%(class)s_created",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "scopes",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Django permissions associated with this token",
                        to="auth.permission",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="%(app_label)s_%(class)s_owned",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="CustomAuditLog",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "action",
                    models.CharField(
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
                ("path", models.TextField(help_text="Request path (without domain)")),
                ("method", models.CharField(help_text="HTTP method", max_length=10)),
                (
                    "status_code",
                    models.PositiveSmallIntegerField(help_text="HTTP response status code"),
                ),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                ("user_agent", models.TextField(blank=True, null=True)),
                (
                    "extra",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text="Additional context (errors, reason, actor, etc.)",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "token",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="%(app_label)s_%(class)s_logs",
                        to="testapp.customtoken",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "abstract": False,
            },
        ),
        migrations.AddIndex(
            model_name="customtoken",
            index=models.Index(fields=["key"], name="testapp_cus_key_af481b_idx"),
        ),
        migrations.AddIndex(
            model_name="customtoken",
            index=models.Index(fields=["expires_at"], name="testapp_cus_expires_283e19_idx"),
        ),
        migrations.AddIndex(
            model_name="customtoken",
            index=models.Index(fields=["revoked"], name="testapp_cus_revoked_dc991e_idx"),
        ),
        migrations.AddIndex(
            model_name="customauditlog",
            index=models.Index(fields=["token"], name="testapp_cus_token_i_7f0ec8_idx"),
        ),
        migrations.AddIndex(
            model_name="customauditlog",
            index=models.Index(fields=["action"], name="testapp_cus_action_c867e0_idx"),
        ),
        migrations.AddIndex(
            model_name="customauditlog",
            index=models.Index(fields=["created_at"], name="testapp_cus_created_f34f5d_idx"),
        ),
        migrations.AddIndex(
            model_name="customauditlog",
            index=models.Index(fields=["ip_address"], name="testapp_cus_ip_addr_f7839f_idx"),
        ),
        migrations.AddIndex(
            model_name="customauditlog",
            index=models.Index(fields=["status_code"], name="testapp_cus_status__45b3f8_idx"),
        ),
        migrations.AddIndex(
            model_name="customauditlog",
            index=models.Index(
                fields=["action", "created_at"], name="testapp_cus_action_f568ef_idx"
            ),
        ),
    ]
