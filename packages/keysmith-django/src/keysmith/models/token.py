"""The default token model, ``keysmith.Token``."""

from __future__ import annotations

from django.db import models

from keysmith.models.base import AbstractToken


class Token(AbstractToken):
    class Meta(AbstractToken.Meta):
        db_table = "keysmith_token"
        indexes = [
            *AbstractToken.Meta.indexes,
            # The admin's name search (starts with, case-sensitive): on PostgreSQL the pattern
            # operator class lets ``LIKE 'text%'`` use it whatever the database's collation.
            # Named here, not in the abstract base: a custom model's name would pass the
            # 30-character limit of index names.
            models.Index(
                fields=["name"], name="keysmith_token_name_like", opclasses=["varchar_pattern_ops"]
            ),
        ]
