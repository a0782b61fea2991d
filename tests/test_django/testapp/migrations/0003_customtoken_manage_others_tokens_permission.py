"""The custom token model inherits the ``manage_others_tokens`` permission option."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("testapp", "0002_alter_customauditlog_created_at"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="customtoken",
            options={
                "ordering": ["-created_at"],
                "permissions": [("manage_others_tokens", "Can manage tokens of other users")],
            },
        ),
    ]
