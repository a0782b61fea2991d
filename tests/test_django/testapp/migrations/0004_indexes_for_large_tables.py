"""The custom models take the abstract bases' new indexes (duplicates go)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("testapp", "0003_customtoken_manage_others_tokens_permission"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="customauditlog",
            name="testapp_cus_token_i_7f0ec8_idx",
        ),
        migrations.RemoveIndex(
            model_name="customauditlog",
            name="testapp_cus_action_c867e0_idx",
        ),
        migrations.RemoveIndex(
            model_name="customtoken",
            name="testapp_cus_key_af481b_idx",
        ),
        migrations.AlterField(
            model_name="customauditlog",
            name="token",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="%(app_label)s_%(class)s_logs",
                to="testapp.customtoken",
            ),
        ),
        migrations.AddIndex(
            model_name="customauditlog",
            index=models.Index(
                fields=["token", "-created_at"], name="testapp_cus_token_i_637eb5_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="customtoken",
            index=models.Index(fields=["created_at"], name="testapp_cus_created_a5a09d_idx"),
        ),
    ]
