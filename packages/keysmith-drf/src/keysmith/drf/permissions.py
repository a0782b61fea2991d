"""DRF permissions over keysmith tokens: a token is required, and it holds the scopes a view
names (``HasKeysmithScopes``) or the inline ones (``ScopedPermission("write", "admin")``)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework.permissions import BasePermission, OperationHolderMixin
from rest_framework.request import Request

from keysmith.core.errors import InsufficientScope
from keysmith.core.scopes import require_scopes
from keysmith.django.settings import get_settings
from keysmith.drf.request import keysmith_token, token_scopes

__all__ = ["HasKeysmithScopes", "RequireKeysmithToken", "ScopedPermission"]


def scope_tuple(value: object, owner: str) -> tuple[str, ...]:
    """``value`` as a tuple of scope codenames, or ImproperlyConfigured saying what is wrong."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ImproperlyConfigured(
            f"{owner} must be a list or tuple of scope codenames, got {value!r}."
        )
    scopes = tuple(value)
    bad = [scope for scope in scopes if not isinstance(scope, str) or not scope]
    if bad:
        raise ImproperlyConfigured(f"{owner}: scopes must be non-empty strings, got {bad!r}.")
    return scopes


class RequireKeysmithToken(BasePermission):
    """The request must be authenticated by a keysmith token (``request.auth``).

    Like DRF's own permissions it answers False rather than raising, so it composes with
    ``&``, ``|`` and ``~``; DRF then raises ``NotAuthenticated`` (401) when no authentication
    class succeeded, and ``PermissionDenied`` (403, with ``message``) when another class (a
    session login) did.
    """

    message: str | None = None

    def has_permission(self, request: Request, view: Any) -> bool:
        if keysmith_token(request) is not None:
            return True
        self.message = get_settings().message("missing_token")
        return False


class HasKeysmithScopes(RequireKeysmithToken):
    """A keysmith token holding every required scope; else DRF answers 403 with the
    ``insufficient_scope`` message (401 without a token, as ``RequireKeysmithToken``).

    The required scopes are ``view.required_scopes`` when the view defines it, else this
    class's ``required_scopes`` (set it in a subclass). Neither set is a configuration error,
    never an open door.
    """

    required_scopes: Iterable[str] | None = None

    def get_required_scopes(self, request: Request, view: Any) -> tuple[str, ...]:
        from_view = getattr(view, "required_scopes", None)
        if from_view is not None:
            return scope_tuple(from_view, f"{type(view).__name__}.required_scopes")
        if self.required_scopes is not None:
            return scope_tuple(self.required_scopes, f"{type(self).__name__}.required_scopes")
        raise ImproperlyConfigured(
            f"{type(self).__name__} on {type(view).__name__} has no scopes to require: set "
            "required_scopes on the view, or use ScopedPermission('scope', ...)."
        )

    def has_permission(self, request: Request, view: Any) -> bool:
        required = self.get_required_scopes(request, view)
        if not super().has_permission(request, view):
            return False
        try:
            require_scopes(token_scopes(request, keysmith_token(request)), required)
        except InsufficientScope:
            self.message = get_settings().message("insufficient_scope")
            return False
        return True


class ScopedPermission(HasKeysmithScopes, OperationHolderMixin):
    """``permission_classes = [ScopedPermission("write", "admin")]``: the token needs every
    listed scope, whatever the view's ``required_scopes`` say.

    DRF calls each entry of ``permission_classes`` to get a permission; calling this object
    returns a copy of it (``message`` is per request), so the inline form works there and in
    ``&``, ``|`` and ``~`` compositions with other permissions. Listed bare (``ScopedPermission``
    without scopes) it raises ImproperlyConfigured rather than letting every token through.
    """

    def __init__(self, *scopes: str) -> None:
        if not scopes:
            raise ImproperlyConfigured(
                "ScopedPermission needs the scopes it requires: "
                "permission_classes = [ScopedPermission('read', ...)]."
            )
        if len(scopes) == 1 and not isinstance(scopes[0], str):
            raise ImproperlyConfigured(
                f"Pass scopes as separate arguments: ScopedPermission('read', 'write'), "
                f"not ScopedPermission({scopes[0]!r})."
            )
        self.scopes = scope_tuple(scopes, "ScopedPermission")
        self.required_scopes = self.scopes

    def __call__(self) -> ScopedPermission:
        return copy.copy(self)

    def __repr__(self) -> str:
        return f"ScopedPermission({', '.join(map(repr, self.scopes))})"

    def get_required_scopes(self, request: Request, view: Any) -> tuple[str, ...]:
        return self.scopes
