"""``Authorization: Bearer`` in the Flask extension, beside another Bearer scheme of the app."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, request
from test_flask.conftest import Keys

from keysmith.core import checksum

HEADER = "X-Keysmith-Token"
BOTH = 'APIKey realm="keysmith", header="x-keysmith-token", Bearer realm="keysmith"'
PARTNER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.cGFydG5lci1zaWduYXR1cmU"


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def with_partner_route(app: Flask) -> Flask:
    """The app's own Bearer scheme on one route, which keysmith does not guard."""

    @app.get("/partner")
    def partner() -> tuple[dict[str, Any], int]:
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or credentials != PARTNER:
            return {"detail": "partner token required"}, 401
        return {"partner_user": "bob"}, 200

    return app


def test_bearer_other_scheme_passes_through_to_the_app(keys: Keys, app_for: Any) -> None:
    client = with_partner_route(app_for()).test_client()
    response = client.get("/partner", headers=bearer(PARTNER))
    assert (response.status_code, response.get_json()) == (200, {"partner_user": "bob"})
    public = client.get("/", headers=bearer(PARTNER))
    assert public.get_json() == {"public": True, "token": None}
    assert keys.auth_events() == []


def test_bearer_other_scheme_on_a_keysmith_route_answers_missing_token(
    keys: Keys, app_for: Any
) -> None:
    response = app_for().test_client().get("/me", headers=bearer(PARTNER))
    assert (response.status_code, response.get_json()["code"]) == (401, "missing_token")
    assert response.headers["WWW-Authenticate"] == BOTH


def test_bearer_forged_keysmith_token_is_refused_naming_both_schemes(
    keys: Keys, app_for: Any
) -> None:
    token, _ = keys.issue()
    body = f"{token.prefix}:{'x' * 32}"
    response = app_for().test_client().get("/", headers=bearer(body + checksum(body)))
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")
    assert response.headers["WWW-Authenticate"] == (
        'APIKey realm="keysmith", header="x-keysmith-token", error="invalid_token", '
        'Bearer realm="keysmith", error="invalid_token"'
    )


def test_bearer_and_header_with_different_tokens_are_refused_as_ambiguous(
    keys: Keys, app_for: Any
) -> None:
    _, raw = keys.issue()
    _, other = keys.issue()
    response = app_for().test_client().get("/me", headers={HEADER: raw, **bearer(other)})
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")
    [event] = keys.auth_events()
    assert (event.status_code, event.extra["reason"]) == (401, "ambiguous_credentials")


def test_bearer_and_header_with_the_same_token_authenticate_once(keys: Keys, app_for: Any) -> None:
    token, raw = keys.issue()
    response = app_for().test_client().get("/me", headers={HEADER: raw, **bearer(raw)})
    assert response.get_json()["prefix"] == token.prefix
    assert keys.rows() == [("auth_success", 200, "")]


@pytest.mark.parametrize(
    "value",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer \x01\x02\x7f",
        "Bearer tök",
        "Bearer " + "A" * 100_000,
        ",,,",
    ],
)
def test_malformed_authorization_is_no_token_never_a_500(
    keys: Keys, app_for: Any, value: str
) -> None:
    client = app_for().test_client()
    public = client.get("/", headers={"Authorization": value})
    assert (public.status_code, public.get_json()["token"]) == (200, None)
    required = client.get("/me", headers={"Authorization": value})
    assert (required.status_code, required.get_json()["code"]) == (401, "missing_token")
