"""The Flask samples of the docs and the README, run as printed: each app is built over the
SQLite file the samples name (``keysmith.sqlite3``, in a folder of the test's own) and driven
with Flask's test client, with tokens issued into that file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask, session
from sqlalchemy import MetaData
from support.docs_samples import docs_sample, replace_once, run_sample

from keysmith.flask import Keysmith, current_token
from keysmith.sqlalchemy import create_all, render_item, service
from keysmith.sqlalchemy import metadata as keysmith_metadata

URL = "sqlite:///keysmith.sqlite3"
PLACEHOLDER = '"postgresql://app@db/app"'
Issue = Callable[..., str]


@pytest.fixture
def issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Issue]:
    """Work in an empty folder holding the samples' ``keysmith.sqlite3``; issue raw tokens."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEYSMITH_DATABASE_URL", raising=False)
    create_all(URL)
    tokens = service(URL, audit_buffer_seconds=0)

    def make(*scopes: str, user: str | None = None) -> str:
        return tokens.create(name="docs", scopes=list(scopes), user=user)[1]

    yield make
    tokens.store.engine.dispose()


def header(raw: str) -> dict[str, str]:
    return {"X-Keysmith-Token": raw}


def prefix(raw: str) -> str:
    return raw.partition(":")[0]


def test_readme_flask_sample_serves_writers(issue: Issue) -> None:
    namespace = run_sample("README.md", "flask-quick-look")
    client = namespace["app"].test_client()
    writer = issue("write")
    added = client.post("/notes", headers=header(writer))
    assert (added.status_code, added.get_json()) == (201, {"author": prefix(writer)})
    assert client.post("/notes", headers=header(issue("read"))).status_code == 403
    assert client.post("/notes").status_code == 401
    namespace["keysmith"].close(namespace["app"])


def test_flask_sqlalchemy_sample_keeps_tokens_in_the_apps_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    code = replace_once(docs_sample("flask.md", "flask-sqlalchemy"), PLACEHOLDER, f'"{url}"')
    namespace = run_sample("flask.md", "flask-sqlalchemy", code=code)
    app: Flask = namespace["create_app"]()
    keysmith: Keysmith = namespace["keysmith"]

    @app.get("/me")
    @keysmith.required
    def me() -> dict[str, str]:
        return {"prefix": current_token.prefix}

    create_all(url)
    tokens = service(url, audit_buffer_seconds=0)
    raw = tokens.create(name="docs")[1]
    tokens.store.engine.dispose()
    assert app.test_client().get("/me", headers=header(raw)).get_json() == {"prefix": prefix(raw)}
    with app.app_context():
        assert str(namespace["db"].engine.url) == url
    keysmith.close(app)


def test_flask_migrations_sample_hands_keysmiths_metadata_to_the_comparison() -> None:
    target_db = SimpleNamespace(metadata=MetaData())
    namespace = run_sample("flask.md", "migrations", {"target_db": target_db})
    assert namespace["get_metadata"]() == [target_db.metadata, keysmith_metadata]
    assert namespace["render_item"] is render_item


def test_flask_blueprints_sample_protects_the_blueprint_but_its_health_route(
    issue: Issue,
) -> None:
    namespace = run_sample("flask.md", "quick-start")
    run_sample("flask.md", "blueprints", namespace)
    app = namespace["create_app"]()
    app.register_blueprint(namespace["api"])
    client = app.test_client()
    assert client.get("/api/health").get_json() == {"status": "ok"}
    assert client.get("/api/reports").status_code == 401
    reader, writer = issue("reports:read"), issue("reports:write")
    assert client.get("/api/reports", headers=header(reader)).get_json() == {
        "reader": prefix(reader)
    }
    assert client.post("/api/reports", headers=header(reader)).status_code == 403
    assert client.post("/api/reports", headers=header(writer)).status_code == 201
    assert client.get("/api/summary", headers=header(reader)).status_code == 200
    assert client.get("/api/summary", headers=header(writer)).status_code == 403
    namespace["keysmith"].close(app)


def protected_app() -> tuple[Flask, Keysmith]:
    """The ``app`` and ``keysmith`` the hook samples configure, with one protected route."""
    app = Flask(__name__)
    app.config["KEYSMITH_DATABASE_URL"] = URL
    keysmith = Keysmith()

    @app.get("/me")
    @keysmith.required
    def me() -> dict[str, str]:
        return {"prefix": current_token.prefix}

    return app, keysmith


def test_flask_admit_sample_refuses_inactive_owners(issue: Issue) -> None:
    users = {1: SimpleNamespace(active=True), 2: SimpleNamespace(active=False)}
    db = SimpleNamespace(session=SimpleNamespace(get=lambda model, pk: users[pk]))
    app, keysmith = protected_app()
    run_sample("flask.md", "admit", {"app": app, "keysmith": keysmith, "db": db, "User": object})
    client = app.test_client()
    assert client.get("/me", headers=header(issue(user="1"))).status_code == 200
    assert client.get("/me", headers=header(issue())).status_code == 200  # a system token
    refused = client.get("/me", headers=header(issue(user="2")))
    assert (refused.status_code, refused.get_json()["code"]) == (401, "disabled_token")
    keysmith.close(app)


def test_flask_rate_limit_sample_answers_429_with_retry_after(issue: Issue) -> None:
    addresses: list[str] = []

    def too_many_attempts(address: str) -> bool:
        addresses.append(address)
        return len(addresses) > 1

    app, keysmith = protected_app()
    names = {"app": app, "keysmith": keysmith, "too_many_attempts": too_many_attempts}
    run_sample("flask.md", "rate-limit", names)
    client = app.test_client()
    raw = issue()
    assert client.get("/me", headers=header(raw)).status_code == 200
    limited = client.get("/me", headers=header(raw))
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "30")
    assert addresses == ["127.0.0.1", "127.0.0.1"]
    keysmith.close(app)


def test_flask_memory_store_sample_passes_with_the_quick_starts_app() -> None:
    # The reader's create_app: the quick start's, with the service handed to init_app as the
    # sample's comment says, and no database URL (the service is the whole storage).
    code = docs_sample("flask.md", "quick-start")
    code = replace_once(code, "keysmith.init_app(app)", "keysmith.init_app(app, service=service)")
    code = replace_once(
        code, '    app.config["KEYSMITH_DATABASE_URL"] = "sqlite:///keysmith.sqlite3"\n', ""
    )
    namespace = run_sample("flask.md", "quick-start", code=code)
    run_sample("flask.md", "memory-store", namespace)
    assert namespace["service"].store.get_by_prefix(prefix(namespace["raw"])) is not None


def test_flask_self_service_in_tests_sample_passes(issue: Issue) -> None:
    namespace = run_sample("flask-self-service.md", "setup")
    app: Flask = namespace["app"]
    app.secret_key = "sample"

    @app.before_request
    def sign_in() -> None:  # however the app signs people in
        session["user_id"] = "alice"

    run_sample("flask-self-service.md", "in-tests")["test_create_a_key"](app)
    listed = app.test_client().get("/api/tokens").get_json()
    assert [token["name"] for token in listed["results"]] == ["laptop"]
    namespace["keysmith"].close(app)
