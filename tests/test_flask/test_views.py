"""The decorator, blueprint protection, class-based and async views, on every store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask.testing import FlaskClient
from test_flask.conftest import Keys

from keysmith.core import checksum

HEADER = "X-Keysmith-Token"


def sent(raw: str) -> dict[str, str]:
    return {HEADER: raw}


def test_required_valid_token_reaches_view_with_current_token(
    keys: Keys, client: FlaskClient
) -> None:
    token, raw = keys.issue()
    response = client.get("/me", headers=sent(raw))
    assert response.status_code == 200
    assert response.get_json() == {"prefix": token.prefix, "g": token.prefix}


def test_required_no_token_answers_401_missing_token_with_challenge(client: FlaskClient) -> None:
    response = client.get("/me")
    assert response.status_code == 401
    assert response.get_json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "missing_token",
    }
    assert response.headers["WWW-Authenticate"] == (
        'APIKey realm="keysmith", header="x-keysmith-token", Bearer realm="keysmith"'
    )
    assert response.mimetype == "application/json"


def test_required_wrong_secret_answers_401_invalid_token(keys: Keys, client: FlaskClient) -> None:
    _, raw = keys.issue()
    prefix, secret = raw.split(":")[0], "x" * 32
    forged = f"{prefix}:{secret}" + checksum(f"{prefix}:{secret}")
    response = client.get("/me", headers=sent(forged))
    assert response.status_code == 401
    assert response.get_json()["code"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_required_revoked_token_answers_401_revoked_token(keys: Keys, client: FlaskClient) -> None:
    token, raw = keys.issue()
    keys.service.revoke(token)
    response = client.get("/me", headers=sent(raw))
    assert (response.status_code, response.get_json()["code"]) == (401, "revoked_token")


def test_required_expired_token_answers_401_expired_token(keys: Keys, client: FlaskClient) -> None:
    _, raw = keys.issue()
    keys.clock.advance(timedelta(days=31))
    response = client.get("/me", headers=sent(raw))
    assert (response.status_code, response.get_json()["code"]) == (401, "expired_token")


def test_required_scope_missing_answers_403_naming_scope(keys: Keys, client: FlaskClient) -> None:
    _, raw = keys.issue(scopes=("read",))
    response = client.post("/notes", headers=sent(raw))
    assert response.status_code == 403
    assert response.get_json()["code"] == "insufficient_scope"
    assert response.headers["WWW-Authenticate"].endswith(
        'error="insufficient_scope", scope="write"'
    )


def test_required_scope_held_reaches_view(keys: Keys, client: FlaskClient) -> None:
    token, raw = keys.issue(scopes=("read", "write"))
    response = client.post("/notes", headers=sent(raw))
    assert (response.status_code, response.get_json()) == (201, {"author": token.prefix})


def test_public_route_without_token_has_no_current_token(client: FlaskClient) -> None:
    assert client.get("/").get_json() == {"public": True, "token": None}


def test_public_route_valid_token_sets_current_token(keys: Keys, client: FlaskClient) -> None:
    token, raw = keys.issue()
    assert client.get("/", headers=sent(raw)).get_json()["token"] == token.prefix


def test_public_route_invalid_token_is_refused(client: FlaskClient) -> None:
    response = client.get("/", headers=sent("tok_nothing:here000000"))
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")


def test_async_view_scope_held_reaches_view(keys: Keys, client: FlaskClient) -> None:
    token, raw = keys.issue(scopes=("read",))
    response = client.get("/async", headers=sent(raw))
    assert (response.status_code, response.get_json()) == (200, {"prefix": token.prefix})


def test_async_view_scope_missing_answers_403(keys: Keys, client: FlaskClient) -> None:
    _, raw = keys.issue(scopes=("write",))
    assert client.get("/async", headers=sent(raw)).status_code == 403
    assert client.get("/async").status_code == 401


def test_method_view_class_decorator_and_method_scope(keys: Keys, client: FlaskClient) -> None:
    token, raw = keys.issue(scopes=("read",))
    assert client.get("/items").status_code == 401
    assert client.get("/items", headers=sent(raw)).get_json() == {"prefix": token.prefix}
    assert client.post("/items", headers=sent(raw)).status_code == 403
    _, writer = keys.issue(scopes=("write",))
    assert client.post("/items", headers=sent(writer)).status_code == 201


def test_protect_blueprint_without_token_answers_401(client: FlaskClient) -> None:
    response = client.get("/api/reports")
    assert (response.status_code, response.get_json()["code"]) == (401, "missing_token")


def test_protect_blueprint_valid_token_reaches_view(keys: Keys, client: FlaskClient) -> None:
    token, raw = keys.issue()
    response = client.get("/api/reports", headers=sent(raw))
    assert (response.status_code, response.get_json()) == (200, {"prefix": token.prefix})


def test_protect_exempt_by_name_and_by_decorator_open_without_token(client: FlaskClient) -> None:
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/version").status_code == 200


def test_protect_exempt_route_still_refuses_invalid_token(client: FlaskClient) -> None:
    assert client.get("/api/health", headers=sent("garbage")).status_code == 401


def test_protect_with_scope_refuses_token_without_it(keys: Keys, client: FlaskClient) -> None:
    _, reader = keys.issue(scopes=("read",))
    _, admin = keys.issue(scopes=("admin",))
    assert client.get("/admin/", headers=sent(reader)).status_code == 403
    assert client.get("/admin/", headers=sent(admin)).status_code == 200


def test_bearer_by_default_authenticates(keys: Keys, client: FlaskClient) -> None:
    token, raw = keys.issue()
    ok = client.get("/me", headers={"Authorization": f"Bearer {raw}"})
    assert ok.get_json()["prefix"] == token.prefix


def test_bearer_when_not_allowed_is_ignored_and_not_challenged(keys: Keys, app_for: Any) -> None:
    client = app_for({"KEYSMITH_ALLOW_BEARER": False}).test_client()
    _, raw = keys.issue()
    response = client.get("/me", headers={"Authorization": f"Bearer {raw}"})
    assert (response.status_code, response.get_json()["code"]) == (401, "missing_token")
    assert response.headers["WWW-Authenticate"] == (
        'APIKey realm="keysmith", header="x-keysmith-token"'
    )


def test_custom_header_name_reads_token_there_only(keys: Keys, app_for: Any) -> None:
    client = app_for({"KEYSMITH_HEADER_NAME": "X-Api-Key"}).test_client()
    _, raw = keys.issue()
    assert client.get("/me", headers={"X-Api-Key": raw}).status_code == 200
    refused = client.get("/me", headers=sent(raw))
    assert refused.status_code == 401
    assert 'header="X-Api-Key"' in refused.headers["WWW-Authenticate"]


def test_query_param_when_configured_authenticates(keys: Keys, app_for: Any) -> None:
    client = app_for({"KEYSMITH_QUERY_PARAM": "keysmith_token"}).test_client()
    token, raw = keys.issue()
    response = client.get("/me", query_string={"keysmith_token": raw})
    assert response.get_json()["prefix"] == token.prefix


def test_query_and_header_together_are_refused_as_ambiguous(keys: Keys, app_for: Any) -> None:
    client = app_for({"KEYSMITH_QUERY_PARAM": "t"}).test_client()
    _, raw = keys.issue()
    response = client.get("/me", headers=sent(raw), query_string={"t": raw})
    assert response.status_code == 401
    assert keys.auth_events()[-1].extra["reason"] == "ambiguous_credentials"


def test_messages_config_overrides_answer_text(app_for: Any) -> None:
    client = app_for({"KEYSMITH_MESSAGES": {"missing_token": "Send a key."}}).test_client()
    assert client.get("/me").get_json() == {"detail": "Send a key.", "code": "missing_token"}


def test_non_latin1_header_text_answers_401_not_500(client: FlaskClient) -> None:
    response = client.get("/me", headers=sent("tok_\u20ac:x"))
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")


def test_requests_inside_one_app_context_each_authenticate_anew(keys: Keys, app_for: Any) -> None:
    # Flask reuses a pushed app context (and its g) for every request made inside it.
    app = app_for()
    token, raw = keys.issue()
    client = app.test_client()
    with app.app_context():
        assert client.get("/me", headers=sent(raw)).get_json()["prefix"] == token.prefix
        response = client.get("/me")
        assert (response.status_code, response.get_json()["code"]) == (401, "missing_token")
        assert client.get("/").get_json()["token"] is None
    assert keys.rows() == [("auth_success", 200, ""), ("auth_failed", 401, "missing_token")]
