"""The throwaway PostgreSQL server fixture: it starts, answers queries and is found reliably."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from support.pgserver import PostgresServer, find_bindir, unavailable


def test_postgres_server_started_answers_select_one(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.dsn) as conn:
        row = conn.execute("SELECT 1").fetchone()

    assert row == (1,)


def test_postgres_server_started_reports_numeric_version(
    postgres_server: PostgresServer,
) -> None:
    with psycopg.connect(postgres_server.dsn) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
        reported = conn.info.server_version

    assert row is not None
    assert re.fullmatch(r"\d{5,6}", row[0])
    assert reported == int(row[0])


def test_postgres_server_unix_socket_accepts_connection(postgres_server: PostgresServer) -> None:
    with psycopg.connect(
        host=str(postgres_server.socket_dir),
        port=postgres_server.port,
        user=postgres_server.user,
        dbname=postgres_server.dbname,
    ) as conn:
        row = conn.execute("SELECT current_database()").fetchone()

    assert row == (postgres_server.dbname,)


def test_postgres_server_tcp_listens_on_loopback_only(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.dsn) as conn:
        row = conn.execute("SHOW listen_addresses").fetchone()

    assert row == ("127.0.0.1",)


def test_postgres_server_url_with_driver_names_driver_in_scheme() -> None:
    server = PostgresServer(
        host="127.0.0.1", port=5999, socket_dir=Path("/tmp"), user="postgres", dbname="db"
    )

    assert server.dsn == "postgresql://postgres@127.0.0.1:5999/db"
    assert server.url("asyncpg") == "postgresql+asyncpg://postgres@127.0.0.1:5999/db"
    assert (
        server.url("psycopg", dbname="other")
        == "postgresql+psycopg://postgres@127.0.0.1:5999/other"
    )


def _fake_bindir(root: Path, version: str) -> Path:
    bindir = root / version / "bin"
    bindir.mkdir(parents=True)
    for program in ("initdb", "pg_ctl", "createdb"):
        (bindir / program).write_text("#!/bin/sh\n")
        (bindir / program).chmod(0o755)
    return bindir


def test_find_bindir_several_packaged_versions_picks_newest(tmp_path: Path) -> None:
    for version in ("9.6", "13", "15"):
        _fake_bindir(tmp_path, version)

    found = find_bindir(search_path="", packaged=str(tmp_path / "*" / "bin"))

    assert found == tmp_path / "15" / "bin"


def test_find_bindir_programs_on_path_win_over_packaged(tmp_path: Path) -> None:
    on_path = _fake_bindir(tmp_path / "local", "12")
    _fake_bindir(tmp_path / "packaged", "16")

    found = find_bindir(search_path=str(on_path), packaged=str(tmp_path / "packaged/*/bin"))

    assert found == on_path


def test_find_bindir_nothing_installed_returns_none(tmp_path: Path) -> None:
    assert find_bindir(search_path="", packaged=str(tmp_path / "*" / "bin")) is None


def test_unavailable_outside_ci_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="binaries were not found"):
        unavailable("PostgreSQL binaries were not found")


def test_unavailable_in_ci_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="binaries were not found"):
        unavailable("PostgreSQL binaries were not found")
