"""``flask keysmith ...``: the keysmith command on the app's database and policy, run through
``flask`` itself in a subprocess, and through Flask's CLI runner for the error paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from test_flask.cliapp import create_app

from keysmith.core import MemoryTokenStore, TokenService
from keysmith.flask import Keysmith

CLIAPP = Path(__file__).resolve().parent / "cliapp.py"
FLASK = str(Path(sys.executable).parent / "flask")


@pytest.fixture(params=["sqlite", "postgres"])
def app_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def flask_cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLIAPP_DATABASE_URL": url}
    for name in ("KEYSMITH_DATABASE_URL", "KEYSMITH_TOKEN_PREFIX", "FLASK_APP"):
        env.pop(name, None)
    return subprocess.run(
        [FLASK, "--app", f"{CLIAPP}:create_app", "keysmith", *args],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def ok(url: str, *args: str) -> str:
    result = flask_cli(url, *args)
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    return result.stdout


def test_flask_keysmith_lifecycle_through_flask_on_app_database(app_database: str) -> None:
    url = app_database
    ok(url, "init")
    created = json.loads(ok(url, "create", "--name", "deploy", "--scope", "read", "--json"))
    raw, prefix = created["token"], created["prefix"]
    assert prefix.startswith("cli_")  # the app's KEYSMITH_TOKEN_PREFIX
    os.environ["CLIAPP_DATABASE_URL"] = url
    try:
        client = create_app().test_client()
    finally:
        del os.environ["CLIAPP_DATABASE_URL"]
    assert client.get("/me", headers={"X-Keysmith-Token": raw}).get_json() == {"prefix": prefix}
    assert prefix in ok(url, "list")
    assert "deploy" in ok(url, "show", prefix)
    rotated = ok(url, "rotate", prefix).strip().splitlines()[-1]
    assert client.get("/me", headers={"X-Keysmith-Token": raw}).status_code == 401
    assert client.get("/me", headers={"X-Keysmith-Token": rotated}).status_code == 200
    assert ok(url, "revoke", prefix).strip() == f"Revoked {prefix}."
    assert ok(url, "purge", prefix).strip() == f"Purged {prefix}."
    assert client.get("/me", headers={"X-Keysmith-Token": rotated}).status_code == 401
    trail = json.loads(ok(url, "audit", "--prefix", prefix, "--json"))
    actions = [(row["action"], row["path"]) for row in reversed(trail)]
    assert actions == [
        ("created", "flask keysmith create"),
        ("auth_success", "/me"),
        ("rotated", "flask keysmith rotate"),
        ("auth_failed", "/me"),
        ("auth_success", "/me"),
        ("revoked", "flask keysmith revoke"),
        ("revoked", "flask keysmith purge"),
        ("auth_failed", "/me"),
    ]
    client.application.extensions["keysmith"].close()


def test_flask_keysmith_help_names_flask_and_has_no_database_option(tmp_path: Path) -> None:
    result = flask_cli(f"sqlite:///{tmp_path / 'x.sqlite3'}", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: flask keysmith ")
    assert "--database-url" not in result.stdout
    assert "rotate" in result.stdout


@pytest.fixture
def runner_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("CLIAPP_DATABASE_URL", f"sqlite:///{tmp_path / 'runner.sqlite3'}")
    app = create_app()
    yield app
    app.extensions["keysmith"].close()


def invoke(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["keysmith", *args])


def test_flask_keysmith_without_tables_says_run_flask_keysmith_init(runner_app: Flask) -> None:
    result = invoke(runner_app, "list")
    assert result.exit_code == 1
    assert "run `flask keysmith init`" in result.stderr
    assert result.stderr.startswith("flask keysmith: error: ")


def test_flask_keysmith_whole_token_refused_without_echoing_it(runner_app: Flask) -> None:
    invoke(runner_app, "init")
    created = json.loads(invoke(runner_app, "create", "--name", "x", "--json").stdout)
    result = invoke(runner_app, "show", created["token"])
    assert result.exit_code == 2
    assert created["token"].split(":")[1] not in result.stderr
    assert result.stderr.startswith("flask keysmith show: error: ")


def test_flask_keysmith_database_url_option_is_refused(runner_app: Flask) -> None:
    result = invoke(runner_app, "--database-url", "sqlite://", "list")
    assert result.exit_code == 2


def test_flask_keysmith_app_without_sql_store_exits_2(tmp_path: Path) -> None:
    app = Flask(__name__)
    Keysmith(app, service=TokenService(MemoryTokenStore()))
    result = invoke(app, "list")
    assert result.exit_code == 2
    assert "not a SQL database" in result.stderr


def test_flask_keysmith_audit_off_writes_no_lifecycle_rows(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config.update(
        KEYSMITH_DATABASE_URL=f"sqlite:///{tmp_path / 'quiet.sqlite3'}", KEYSMITH_AUDIT=False
    )
    Keysmith(app)
    invoke(app, "init")
    invoke(app, "create", "--name", "quiet")
    assert json.loads(invoke(app, "audit", "--json").stdout) == []
    app.extensions["keysmith"].close()


def test_flask_help_lists_keysmith_command(tmp_path: Path) -> None:
    env = {**os.environ, "CLIAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'h.sqlite3'}"}
    result = subprocess.run(
        [FLASK, "--app", f"{CLIAPP}:create_app", "--help"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "keysmith" in result.stdout


def test_flask_keysmith_prune_audit_dry_run_then_batches(runner_app: Flask) -> None:
    invoke(runner_app, "init")
    for name in ("a", "b", "c"):
        invoke(runner_app, "create", "--name", name)
    # Days 0: every event written before the command's moment is old enough.
    dry = invoke(runner_app, "prune-audit", "--days", "0", "--batch-size", "2", "--dry-run")
    assert dry.exit_code == 0
    assert dry.stdout.startswith("Would delete 3 audit events older than 0 days, in 2 batches")
    result = invoke(runner_app, "prune-audit", "--days", "0", "--batch-size", "2")
    assert result.exit_code == 0
    assert result.stdout == "Deleted 3 audit events older than 0 days.\n"
    assert result.stderr.splitlines() == [
        "flask keysmith: batch 1: 2 rows deleted",
        "flask keysmith: batch 2: 3 rows deleted",
    ]
    assert json.loads(invoke(runner_app, "audit", "--json").stdout) == []
