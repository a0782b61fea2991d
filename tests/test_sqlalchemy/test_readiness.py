"""The start-up table check of the sync store (the async one shares its logic; see
tests/test_asgi/test_startup_check.py)."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from support.docs_samples import docs_sample

from keysmith.sqlalchemy import MissingTablesError, create_all, make_engine, service


def test_check_tables_without_tables_names_file_missing_tables_and_command(tmp_path: Path) -> None:
    database = tmp_path / "empty.sqlite3"
    sqlite3.connect(database).close()
    engine = make_engine(f"sqlite:///{database}")
    with pytest.raises(MissingTablesError) as raised:
        service(engine).store.check_tables()
    message = str(raised.value)
    assert message.startswith(f"the SQLite file {database} has no keysmith tables (keysmith_tokens")
    assert f"`keysmith init --database-url sqlite:///{database}`" in message
    engine.dispose()


def test_check_tables_without_file_creates_none(tmp_path: Path) -> None:
    database = tmp_path / "keysmith.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with pytest.raises(MissingTablesError, match="does not exist"):
        service(engine).store.check_tables()
    assert not database.exists()


def test_check_tables_with_tables_passes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    engine = make_engine(url)
    assert service(engine).store.check_tables() is True
    engine.dispose()


def test_check_tables_unreachable_database_warns_without_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = make_engine("postgresql://keysmith:s3cret-pw@127.0.0.1:1/keysmith")
    with caplog.at_level(logging.WARNING, logger="keysmith"):
        assert service(engine).store.check_tables() is False
    assert (
        "could not reach the database postgresql+psycopg://keysmith:***@127.0.0.1:1" in caplog.text
    )
    assert "s3cret-pw" not in caplog.text


def test_make_engine_resolves_relative_sqlite_path_against_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert make_engine("sqlite:///data/keysmith.db").url.database == str(
        tmp_path / "data/keysmith.db"
    )
    assert make_engine("sqlite://").url.database in (None, "")
    assert make_engine("sqlite:///:memory:").url.database == ":memory:"


def test_startup_check_docs_sample_prints_the_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    sample = docs_sample("sqlalchemy.md", "startup-check")
    namespace: dict[str, Any] = {"__name__": "startup_check_sample"}
    exec(compile(sample, "docs/sqlalchemy.md", "exec"), namespace)
    printed = capsys.readouterr().out
    assert f"the SQLite file {tmp_path / 'keysmith.sqlite3'} does not exist" in printed
    namespace["svc"].store.engine.dispose()
