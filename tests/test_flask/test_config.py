"""The extension pattern: app factories, several apps in one process, storage by URL, and
clear errors for bad configuration at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from keysmith.core import (
    ConfigurationError,
    MemoryTokenStore,
    PBKDF2SHA512TokenHasher,
    SHA256TokenHasher,
    TokenService,
)
from keysmith.flask import Keysmith, current_token
from keysmith.sqlalchemy import audit_events, create_all, make_engine, service

keysmith = Keysmith()


def create_app(url: str, **config: Any) -> Flask:
    """An application factory, as Flask's tutorial writes one."""
    app = Flask(__name__)
    app.config.update(KEYSMITH_DATABASE_URL=url, KEYSMITH_HASH_ITERATIONS=1000, **config)
    keysmith.init_app(app)

    @app.get("/me")
    @keysmith.required
    def me() -> dict[str, str]:
        return {"prefix": current_token.prefix}

    return app


def audit_rows(url: str) -> list[tuple[str, int]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = select(audit_events.c.action, audit_events.c.status_code)
            return [tuple(row) for row in connection.execute(query.order_by(audit_events.c.id))]
    finally:
        engine.dispose()


def issue(url: str, **fields: Any) -> str:
    svc = service(url, audit_buffer_seconds=0, default_lifetime=None)
    try:
        return svc.create(name="factory", **fields)[1]
    finally:
        svc.store.engine.dispose()


def test_init_app_two_apps_each_use_their_own_database(tmp_path: Path) -> None:
    first, second = (f"sqlite:///{tmp_path / name}" for name in ("a.sqlite3", "b.sqlite3"))
    for url in (first, second):
        create_all(url)
    apps = [create_app(first), create_app(second)]
    raw = issue(first)
    clients = [app.test_client() for app in apps]
    assert clients[0].get("/me", headers={"X-Keysmith-Token": raw}).status_code == 200
    assert clients[1].get("/me", headers={"X-Keysmith-Token": raw}).status_code == 401
    for app in apps:
        keysmith.close(app)  # writes the buffered rows out
    assert audit_rows(first) == [("created", 0), ("auth_success", 200)]
    assert audit_rows(second) == [("auth_failed", 401)]


def test_init_app_postgres_url_authenticates_and_audits(postgres_url: str) -> None:
    app = create_app(postgres_url)
    raw = issue(postgres_url, scopes=["read"])
    assert app.test_client().get("/me", headers={"X-Keysmith-Token": raw}).status_code == 200
    keysmith.close(app)
    assert audit_rows(postgres_url) == [("created", 0), ("auth_success", 200)]


def test_init_app_audit_off_writes_no_rows(sqlite_url: str) -> None:
    app = create_app(sqlite_url, KEYSMITH_AUDIT=False)
    raw = issue(sqlite_url)
    app.test_client().get("/me", headers={"X-Keysmith-Token": raw})
    app.test_client().get("/me")
    keysmith.close(app)
    assert audit_rows(sqlite_url) == [("created", 0)]


def test_init_app_policy_keys_shape_new_tokens(sqlite_url: str) -> None:
    app = create_app(
        sqlite_url,
        KEYSMITH_TOKEN_PREFIX="api",
        KEYSMITH_DEFAULT_EXPIRY_DAYS=0,
        KEYSMITH_AVAILABLE_SCOPES=["read", "write"],
    )
    svc = keysmith.state(app).service
    token, raw = svc.create(name="shaped", scopes=["read"])
    assert raw.startswith("api_")
    assert token.expires_at is None
    with pytest.raises(ValueError, match="admin"):
        svc.create(name="too much", scopes=["admin"])
    keysmith.close(app)


def test_init_app_hasher_dotted_path_hashes_new_tokens(sqlite_url: str) -> None:
    path = "keysmith.core.PBKDF2SHA512TokenHasher"
    app = create_app(sqlite_url, KEYSMITH_HASHER=path)
    token, _ = keysmith.state(app).service.create(name="hashed")
    assert token.key.startswith(PBKDF2SHA512TokenHasher.algorithm + "$")
    keysmith.close(app)
    app = create_app(sqlite_url, KEYSMITH_HASHER=SHA256TokenHasher())
    token, _ = keysmith.state(app).service.create(name="hashed")
    assert token.key.startswith(SHA256TokenHasher.algorithm + "$")
    keysmith.close(app)


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"KEYSMITH_ALLOW_BEARER": "yes"}, "KEYSMITH_ALLOW_BEARER"),
        ({"KEYSMITH_AUDIT": 1}, "KEYSMITH_AUDIT"),
        ({"KEYSMITH_HEADER_NAME": "x token"}, "KEYSMITH_HEADER_NAME"),
        ({"KEYSMITH_QUERY_PARAM": ""}, "KEYSMITH_QUERY_PARAM"),
        ({"KEYSMITH_MESSAGES": {"nope": "x"}}, "KEYSMITH_MESSAGES"),
        ({"KEYSMITH_MESSAGES": "text"}, "KEYSMITH_MESSAGES"),
        ({"KEYSMITH_AUDIT_BUFFER_SECONDS": -1}, "KEYSMITH_AUDIT_BUFFER_SECONDS"),
        ({"KEYSMITH_AUDIT_WRITE_TIMEOUT": "1s"}, "KEYSMITH_AUDIT_WRITE_TIMEOUT"),
        ({"KEYSMITH_HASHER": "no.such.Hasher"}, "KEYSMITH_HASHER"),
        ({"KEYSMITH_HASHER": object()}, "KEYSMITH_HASHER"),
        ({"KEYSMITH_TOKEN_SECRET_LENGTH": "many"}, "KEYSMITH_TOKEN_SECRET_LENGTH"),
        ({"KEYSMITH_AVAILABLE_SCOPES": [1, 2]}, "KEYSMITH_AVAILABLE_SCOPES"),
        ({"KEYSMITH_DATABASE_URL": "not a url"}, "database URL"),
    ],
)
def test_init_app_bad_config_raises_configuration_error_naming_it(
    sqlite_url: str, config: dict[str, Any], named: str
) -> None:
    app = Flask(__name__)
    app.config.update({"KEYSMITH_DATABASE_URL": sqlite_url, **config})
    with pytest.raises(ConfigurationError, match=named):
        Keysmith(app)


def test_init_app_twice_on_one_app_raises() -> None:
    app = Flask(__name__)
    ext = Keysmith(app, service=TokenService(MemoryTokenStore()))
    with pytest.raises(ConfigurationError, match="already set up"):
        ext.init_app(app)


def test_init_app_service_with_database_url_raises(sqlite_url: str) -> None:
    app = Flask(__name__)
    app.config["KEYSMITH_DATABASE_URL"] = sqlite_url
    with pytest.raises(ConfigurationError, match="service="):
        Keysmith(app, service=TokenService(MemoryTokenStore()))


def test_init_app_unknown_option_raises_type_error() -> None:
    with pytest.raises(TypeError, match="databse"):
        Keysmith().init_app(Flask(__name__), databse="x")


def test_required_on_app_without_keysmith_names_the_fix() -> None:
    app = Flask(__name__)
    app.config["PROPAGATE_EXCEPTIONS"] = True

    @app.get("/")
    @keysmith.required
    def index() -> str:
        return "never"

    with pytest.raises(RuntimeError, match="init_app"):
        app.test_client().get("/")


def test_required_scopes_must_be_names() -> None:
    with pytest.raises(TypeError, match="scope names"):
        keysmith.required("read", 3)  # type: ignore[call-overload]
