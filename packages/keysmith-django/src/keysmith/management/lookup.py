"""Finding the users and tokens that command-line arguments name."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from keysmith.core.format import prefix_argument
from keysmith.core.untrusted import escape
from keysmith.models.utils import get_token_model


def user_named(username: str | None) -> Any:
    if username is None:
        return None
    model = get_user_model()
    try:
        return model._default_manager.get_by_natural_key(username)
    except model.DoesNotExist:
        raise CommandError(f"No user named {username!r}.") from None


def token_with_prefix(prefix: str) -> Any:
    """The token with ``prefix``; a pasted raw token is refused without echoing its secret."""
    try:
        prefix_argument(prefix)
    except ValueError as error:
        raise CommandError(str(error)) from None
    model = get_token_model()
    try:
        return model._default_manager.select_related("user").get(prefix=prefix)
    except model.DoesNotExist:
        raise CommandError(f"No token with prefix {escape(prefix)!r}.") from None


def state_of(token: Any) -> str:
    if token.purged:
        return "purged"
    if token.revoked:
        return "revoked"
    return "expired" if token.is_expired else "active"
