"""The default token model, ``keysmith.Token``."""

from __future__ import annotations

from keysmith.models.base import AbstractToken


class Token(AbstractToken):
    class Meta(AbstractToken.Meta):
        db_table = "keysmith_token"
