"""keysmith.flask.testing on a Flask app whose keysmith keeps tokens in a SQLite file: tokens
through the app, an authenticated test client, audit capture, and the frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, select
from test_flask.apps import build_app

from keysmith.flask import Keysmith
from keysmith.flask.testing import authenticated, capture_audit, issue_token
from keysmith.sqlalchemy import audit_events, create_all
from keysmith.testing import authenticated as any_authenticated
from keysmith.testing import frozen_clock


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    return url


def make_app(database_url: str, **config: Any) -> Iterator[Flask]:
    app = build_app(Keysmith(), {"KEYSMITH_DATABASE_URL": database_url, **config})
    yield app
    Keysmith.state(app).close()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    # Authentication rows would wait an hour in the buffer outside capture_audit.
    yield from make_app(database_url, KEYSMITH_AUDIT_BUFFER_SECONDS=3600)


def test_issue_token_through_app_reaches_scoped_view(app: Flask) -> None:
    client = authenticated(app.test_client(), issue_token(app, scopes=["write"]))
    assert client.post("/notes").status_code == 201
    assert client.get("/admin/").status_code == 403


def test_authenticated_uses_app_header_name(database_url: str) -> None:
    for app in make_app(database_url, KEYSMITH_HEADER_NAME="X-Api-Key"):
        issued = issue_token(app)
        client = any_authenticated(app.test_client(), issued)
        assert client.environ_base["HTTP_X_API_KEY"] == issued.raw
        assert client.get("/me").json == {"prefix": issued.prefix, "g": issued.prefix}
        other = app.test_client()
        assert other.get("/me", headers={"X-Keysmith-Token": issued.raw}).status_code == 401


def test_authenticated_bearer(database_url: str) -> None:
    for app in make_app(database_url, KEYSMITH_ALLOW_BEARER=True):
        client = authenticated(app.test_client(), issue_token(app), bearer=True)
        assert client.environ_base["HTTP_AUTHORIZATION"].startswith("Bearer tok_")
        assert client.get("/me").status_code == 200


def test_capture_audit_writes_rows_at_once(app: Flask, database_url: str) -> None:
    reader = create_engine(database_url)
    with capture_audit(app) as events:
        issued = issue_token(app)
        assert authenticated(app.test_client(), issued).get("/me").status_code == 200
        with reader.connect() as connection:
            query = select(audit_events.c.action, audit_events.c.status_code)
            assert list(connection.execute(query)) == [("created", 0), ("auth_success", 200)]
    reader.dispose()
    assert events.actions() == ["created", "auth_success"]


def test_frozen_clock_expires_token_at_flask_view(app: Flask) -> None:
    with frozen_clock() as clock:
        client = authenticated(app.test_client(), issue_token(app, expires_at=timedelta(days=7)))
        assert client.get("/me").status_code == 200
        clock.advance(days=7)
        assert client.get("/me").status_code == 401
