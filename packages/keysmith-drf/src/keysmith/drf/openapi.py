"""The OpenAPI security scheme of ``KeysmithAuthentication`` for drf-spectacular: an ``apiKey``
in the configured header, whose security requirement lists the scopes a view's keysmith
permissions require. Loaded by ``keysmith.drf.auth`` whenever drf-spectacular is installed (so
it imports nothing that imports ``rest_framework.views``; the 401/403 answers are
``keysmith.drf.openapi_schema``'s)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.permissions import AND

from keysmith.django.http import header_display_name
from keysmith.django.settings import get_settings
from keysmith.drf.permissions import HasKeysmithScopes

SCHEME_NAME = "keysmithToken"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _scopes_of(permission: Any, view: Any) -> set[str]:
    if isinstance(permission, HasKeysmithScopes):
        try:
            return set(permission.get_required_scopes(None, view))  # type: ignore[arg-type]
        except ImproperlyConfigured:
            return set()  # refused at request time; nothing to document
    if isinstance(permission, AND):  # both sides are required; of OR and NOT, neither is
        operands: Any = permission  # DRF's composition classes are untyped
        return _scopes_of(operands.op1, view) | _scopes_of(operands.op2, view)
    return set()


def required_scopes(view: Any) -> list[str]:
    """The scopes ``view``'s keysmith permissions require, sorted."""
    scopes: set[str] = set()
    for permission in view.get_permissions():
        scopes |= _scopes_of(permission, view)
    return sorted(scopes)


# drf-spectacular's registration hook (__init_subclass__) has no annotations.
class KeysmithTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    # A dotted path, so this module never has to import the authentication class.
    target_class = "keysmith.drf.auth.KeysmithAuthentication"
    match_subclasses = True
    name = SCHEME_NAME

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": header_display_name(get_settings().HEADER_NAME),
            "description": "A keysmith API token.",
        }

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        return {SCHEME_NAME: required_scopes(auto_schema.view)}
