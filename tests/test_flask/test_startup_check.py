"""The Flask app's first request checks the token store's tables once: without them, requests
answer 503 and the log names the file and ``flask keysmith init``; ``init_app`` needs no tables
(``flask keysmith init`` builds the app before the tables exist)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import cast

import pytest
from flask import Flask

from keysmith.flask import Keysmith, readiness
from keysmith.sqlalchemy import SQLTokenStore, create_all


def make_app(url: str) -> tuple[Flask, Keysmith]:
    app = Flask(__name__)
    app.config.update(KEYSMITH_DATABASE_URL=url, KEYSMITH_HASH_ITERATIONS=1000)
    keysmith = Keysmith(app)

    @app.get("/")
    def index() -> dict[str, bool]:
        return {"ok": True}

    return app, keysmith


def test_first_request_without_tables_answers_503_and_logs_the_fix(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "empty.sqlite3"
    sqlite3.connect(database).close()
    app, keysmith = make_app(f"sqlite:///{database}")  # no error: the tables may come later
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        response = app.test_client().get("/")
    assert (response.status_code, response.headers["Retry-After"]) == (503, "5")
    assert response.get_json()["code"] == "service_unavailable"
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert f"the SQLite file {database} has no keysmith tables" in errors[0]
    assert "flask keysmith init" in errors[0]
    assert "Traceback" not in caplog.text
    keysmith.close(app)


def test_tables_created_later_are_found_by_a_later_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readiness, "RETRY_SECONDS", 0.0)
    database = tmp_path / "keysmith.sqlite3"
    app, keysmith = make_app(f"sqlite:///{database}")
    client = app.test_client()
    assert client.get("/").status_code == 503
    assert not database.exists()  # the check creates no empty file
    create_all(f"sqlite:///{database}")
    assert client.get("/").get_json() == {"ok": True}
    keysmith.close(app)


def test_missing_tables_are_checked_again_only_after_the_retry_interval(tmp_path: Path) -> None:
    database = tmp_path / "keysmith.sqlite3"
    app, keysmith = make_app(f"sqlite:///{database}")
    client = app.test_client()
    assert client.get("/").status_code == 503
    create_all(f"sqlite:///{database}")
    assert client.get("/").status_code == 503  # within RETRY_SECONDS: not checked again
    keysmith.close(app)


def test_tables_are_checked_once_not_per_request(tmp_path: Path) -> None:
    database = tmp_path / "keysmith.sqlite3"
    create_all(f"sqlite:///{database}")
    app, keysmith = make_app(f"sqlite:///{database}")
    store = cast(SQLTokenStore, keysmith.state(app).service.store)
    calls: list[int] = []
    original = store.check_tables

    def counted() -> bool:
        calls.append(1)
        return bool(original())

    keysmith.state(app).store_check = readiness.StoreCheck(counted)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert calls == [1]
    keysmith.close(app)


def test_init_app_logs_the_absolute_path_of_a_relative_sqlite_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(tmp_path)
    with caplog.at_level(logging.INFO, logger="keysmith"):
        app, keysmith = make_app("sqlite:///keysmith.sqlite3")
    assert f"keeps its tokens in the SQLite file {tmp_path / 'keysmith.sqlite3'}" in caplog.text
    keysmith.close(app)
