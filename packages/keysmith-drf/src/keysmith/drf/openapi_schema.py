"""``KeysmithAutoSchema``: drf-spectacular's ``AutoSchema`` documenting the 401 and 403 answers
of the views keysmith protects (set it as ``DEFAULT_SCHEMA_CLASS``, or mix it into yours)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema

from keysmith.drf.auth import KeysmithAuthentication
from keysmith.drf.openapi import ERROR_SCHEMA, required_scopes


def _answer(description: str, headers: dict[str, Any]) -> dict[str, Any]:
    answer = {
        "description": description,
        "content": {"application/json": {"schema": ERROR_SCHEMA}},
    }
    return {**answer, "headers": headers} if headers else answer


class KeysmithAutoSchema(AutoSchema):
    """drf-spectacular's ``AutoSchema``, plus the 401 answer (body and ``WWW-Authenticate``) of
    every view that authenticates with keysmith, and its 403 answer when it requires scopes.
    Set it as ``DEFAULT_SCHEMA_CLASS`` (or mix it into your own)."""

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        guards = [
            a for a in self.view.get_authenticators() if isinstance(a, KeysmithAuthentication)
        ]
        if operation is None or not guards:
            return operation
        responses = operation.setdefault("responses", {})
        header = {
            "WWW-Authenticate": {
                "description": f"The challenge: {guards[0].challenge()}",
                "schema": {"type": "string"},
            }
        }
        responses.setdefault(
            "401", _answer("No token, or an invalid, expired or revoked one.", header)
        )
        if required_scopes(self.view):
            responses.setdefault("403", _answer("The token lacks a required scope.", {}))
        return operation
