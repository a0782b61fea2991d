"""Whose tokens a person reaches, in the admin and the self-service endpoints alike: their own,
unless they hold ``<app_label>.manage_others_tokens``."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from keysmith.models.base import MANAGE_OTHERS_TOKENS


def manages_others(user: Any, token_model: type[Model]) -> bool:
    """Whether ``user`` holds ``<app_label>.manage_others_tokens`` (superusers always do)."""
    return bool(user.has_perm(f"{token_model._meta.app_label}.{MANAGE_OTHERS_TOKENS}"))


def owns(user: Any, token: Any) -> bool:
    """A token belongs to its ``user``; a token without one (a system token) to nobody."""
    return token is not None and token.user_id is not None and token.user_id == user.pk
