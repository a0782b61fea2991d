"""The OpenAPI security scheme of ``KeysmithAuthentication`` for drf-spectacular: an ``apiKey``
in the configured header. Loaded by ``keysmith.drf.auth`` whenever drf-spectacular is installed."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from keysmith.django.http import header_display_name
from keysmith.django.settings import get_settings

SCHEME_NAME = "keysmithToken"


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
