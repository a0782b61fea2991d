"""The user and credentials objects left in ``scope["user"]`` / ``scope["auth"]``.

They follow Starlette's conventions by shape (``request.user.is_authenticated``,
``request.auth.scopes``), so ``@requires(...)`` works without Starlette being imported here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from keysmith.core import TokenRecord

R = TypeVar("R", bound=TokenRecord)


# Starlette's credential for "someone authenticated": ``@requires("authenticated")``.
AUTHENTICATED = "authenticated"


def credential_names(scopes: Iterable[str]) -> list[str]:
    """An authenticated token's credentials: ``"authenticated"``, then its scope names, sorted."""
    return [AUTHENTICATED, *sorted(set(scopes) - {AUTHENTICATED})]


class TokenCredentials:
    """What the caller may do: for a token, ``"authenticated"`` and the token's scope names
    (``credential_names``); nothing without one."""

    def __init__(self, scopes: Iterable[str] = (), *, authenticated: bool = False) -> None:
        self.scopes = credential_names(scopes) if authenticated else sorted(scopes)

    def __repr__(self) -> str:
        return f"TokenCredentials(scopes={self.scopes!r})"


class TokenUser(Generic[R]):
    """The caller a token stands for. ``token`` is the store's record (never the secret)."""

    def __init__(self, token: R) -> None:
        self.token = token

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        """The token's prefix: public, unique and safe to show or log."""
        return self.token.prefix

    @property
    def identity(self) -> Any:
        """Who owns the token: its user when it has one, else the prefix (system tokens)."""
        user = getattr(self.token, "user", None)
        return user if user is not None else self.token.prefix

    def __repr__(self) -> str:
        return f"TokenUser(prefix={self.token.prefix!r})"


class AnonymousUser:
    """No token was presented."""

    token = None
    is_authenticated = False
    display_name = ""
    identity = None
