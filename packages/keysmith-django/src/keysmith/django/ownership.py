"""Whose tokens a person reaches, in the admin and the self-service endpoints alike: their own,
unless they hold ``<app_label>.manage_others_tokens`` (the rule itself is the core's ``Caller``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from keysmith.core.selfservice.access import Caller
from keysmith.models.base import MANAGE_OTHERS_TOKENS


def manages_others(user: Any, token_model: type[Model]) -> bool:
    """Whether ``user`` holds ``<app_label>.manage_others_tokens`` (superusers always do)."""
    return bool(user.has_perm(f"{token_model._meta.app_label}.{MANAGE_OTHERS_TOKENS}"))


def caller(user: Any, token_model: type[Model]) -> Caller:
    """``user`` as the person managing tokens of ``token_model``."""
    return Caller(owner=str(user.pk), actor=user, manages_others=manages_others(user, token_model))


def owner_reference(token: Any) -> str | None:
    """The token's owner as the core compares owners: the user's primary key, as text."""
    return None if token.user_id is None else str(token.user_id)


def owns(user: Any, token: Any) -> bool:
    """A token belongs to its ``user``; a token without one (a system token) to nobody."""
    return token is not None and Caller(owner=str(user.pk)).reaches(owner_reference(token))
