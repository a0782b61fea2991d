"""FastAPI's OpenAPI document, completed for the routes ``KeysmithToken`` protects: the scopes
each requires in its security requirement, ``Authorization: Bearer`` as the alternative to the
header when the authenticator accepts it, and its 401 and 403 answers (body and
``WWW-Authenticate``), so schema-driven clients and API fuzzers see them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI, routing
from fastapi.routing import APIRoute

from keysmith.asgi.fastapi import KeysmithToken
from keysmith.core.replies import challenge

ERROR_SCHEMA_NAME = "KeysmithError"
BEARER_SCHEME_NAME = "KeysmithBearer"
BEARER_SCHEME: dict[str, Any] = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token issued by keysmith, as Authorization: Bearer <token>.",
}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "A message for people."},
        # The dependency's refusals carry only the detail; the middleware's add the code.
        "code": {"type": "string", "description": "The kind, for programs (invalid_token, ...)."},
    },
    "required": ["detail"],
}
_ERROR_BODY = {
    "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}}
}


def _keysmith_tokens(dependant: Any) -> Iterator[KeysmithToken[Any]]:
    for sub in getattr(dependant, "dependencies", ()):
        if isinstance(sub.call, KeysmithToken):
            yield sub.call
        yield from _keysmith_tokens(sub)


def _answer(description: str, header: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {
            "WWW-Authenticate": {
                "description": f"The challenge, such as: {header}",
                "schema": {"type": "string"},
            }
        },
        "content": _ERROR_BODY,
    }


def _document(operation: dict[str, Any], guards: list[KeysmithToken[Any]]) -> bool:
    """Complete one operation; True when it offers Bearer as an alternative."""
    required: set[str] = set()
    security = operation.setdefault("security", [])
    for requirement in security:
        for guard in guards:
            if guard.scheme_name in requirement:
                scopes = set(requirement[guard.scheme_name]) | guard.scopes
                requirement[guard.scheme_name] = sorted(scopes)
                required |= scopes
    source = guards[0].authenticator.source
    bearer = source.allow_bearer
    if bearer:
        # Requirements in the list are alternatives: the header, or Bearer, with the same scopes.
        alternative = {BEARER_SCHEME_NAME: sorted(required)}
        if alternative not in security:
            security.append(alternative)
    responses = operation.setdefault("responses", {})
    # setdefault: what a route documents itself stays as it is.
    responses.setdefault(
        "401",
        _answer(
            "No token, or an invalid, expired or revoked one.",
            challenge(source, "invalid_token"),
        ),
    )
    if required:
        responses.setdefault(
            "403",
            _answer(
                "The token lacks a required scope.",
                challenge(source, "insufficient_scope", " ".join(sorted(required))),
            ),
        )
    return bearer


def _api_routes(routes: Sequence[Any]) -> Iterator[Any]:
    """Each API route as the OpenAPI document sees it: path and dependencies as included."""
    contexts = getattr(routing, "iter_route_contexts", None)
    if contexts is None:  # FastAPI before included routers kept their own routes
        yield from (route for route in routes if isinstance(route, APIRoute))
        return
    for context in contexts(routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def document_routes(schema: dict[str, Any], routes: Sequence[Any]) -> dict[str, Any]:
    """Complete ``schema`` (an app's OpenAPI document) for the ``routes`` behind it; running it
    again changes nothing."""
    documented = bearer = False
    for route in _api_routes(routes):
        if not route.include_in_schema:
            continue
        guards = list(_keysmith_tokens(route.dependant))
        path = schema.get("paths", {}).get(route.path_format)
        if not guards or path is None:
            continue
        for method in route.methods:
            operation = path.get(method.lower())
            if operation is not None:
                bearer |= _document(operation, guards)
                documented = True
    components = schema.setdefault("components", {}) if documented else {}
    if documented:
        components.setdefault("schemas", {}).setdefault(ERROR_SCHEMA_NAME, ERROR_SCHEMA)
    if bearer:
        components.setdefault("securitySchemes", {}).setdefault(BEARER_SCHEME_NAME, BEARER_SCHEME)
    return schema


def document(app: FastAPI) -> None:
    """Make ``app.openapi()`` (``/openapi.json``, Swagger UI) document every route a
    ``KeysmithToken`` protects: the scopes it requires in its security requirement (with
    ``Authorization: Bearer`` as the alternative scheme when the authenticator accepts it), its
    401 answer, and its 403 answer when it requires scopes. Call it once, before or after adding
    the routes."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        return document_routes(build(), app.routes)

    app.openapi = openapi  # type: ignore[method-assign]
