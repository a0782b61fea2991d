"""The ``keysmith`` command-line tool, run in-process against real SQLite and PostgreSQL."""

from __future__ import annotations

import json
import socket
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from keysmith.core import InvalidToken, NewToken, RevokedToken
from keysmith.sqlalchemy import SQLTokenStore, service
from keysmith.sqlalchemy.cli import main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(autouse=True)
def cli_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("KEYSMITH_DATABASE_URL", "KEYSMITH_AVAILABLE_SCOPES", "KEYSMITH_DEFAULT_SCOPES"):
        monkeypatch.delenv(name, raising=False)
    # Still PBKDF2, at a cost that suits a test run.
    monkeypatch.setenv("KEYSMITH_HASH_ITERATIONS", "1000")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*argv: str) -> tuple[int, str, str]:
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def cli(run: Run, database_url: str) -> Run:
    """``run`` against the test database."""
    return lambda *argv: run("--database-url", database_url, *argv)


def created(cli: Run, *options: str) -> dict[str, object]:
    status, out, err = cli("--json", "create", *options)
    assert (status, err) == (0, "")
    data: dict[str, object] = json.loads(out)
    return data


def authenticate(url: str, raw: str) -> str:
    # Unbuffered: no writer thread outlives the test to add rows to the next one's tables.
    svc = service(url, audit_buffer_seconds=0)
    try:
        return svc.authenticate(raw).prefix
    finally:
        svc.store.engine.dispose()


def one_line_error(err: str, expected: str) -> None:
    assert err.count("\n") == 1
    assert err.startswith("keysmith")
    assert expected in err
    assert "Traceback" not in err


def test_cli_init_new_sqlite_file_creates_tables_once(run: Run, sqlite_file_url: str) -> None:
    url = sqlite_file_url
    status, out, _ = run("--database-url", url, "init")
    assert status == 0
    assert out.startswith("Created keysmith_tokens, keysmith_token_scopes, keysmith_audit_events")
    assert run("--database-url", url, "init")[1].startswith("The keysmith tables already exist")


def test_cli_init_new_postgres_database_reports_tables_as_json(
    run: Run, new_pg_database: Callable[[str], str]
) -> None:
    url = new_pg_database("init")
    status, out, _ = run("--database-url", url, "--json", "init")
    assert status == 0
    assert json.loads(out) == {
        "database": url,
        "created": ["keysmith_tokens", "keysmith_token_scopes", "keysmith_audit_events"],
    }


def test_cli_create_prints_token_once_and_it_authenticates(cli: Run, database_url: str) -> None:
    status, out, err = cli("create", "--name", "deploy-bot", "--scope", "read")
    assert (status, err) == (0, "")
    assert "cannot be shown again" in out
    raw = out.splitlines()[-1]
    assert authenticate(database_url, raw) == raw.partition(":")[0]


def test_cli_create_json_reports_token_and_fields(cli: Run, database_url: str) -> None:
    data = created(
        cli,
        "--name",
        "ci",
        "--scope",
        "write",
        "--scope",
        "read",
        "--user",
        "42",
        "--expires",
        "30d",
    )
    assert data["scopes"] == ["read", "write"]
    assert (data["user"], data["state"], data["token_type"]) == ("42", "active", "user")
    created_at = datetime.fromisoformat(str(data["created_at"]))
    assert datetime.fromisoformat(str(data["expires_at"])) == created_at + timedelta(days=30)
    assert authenticate(database_url, str(data["token"])) == data["prefix"]


def test_cli_create_expires_never_gives_no_expiry(cli: Run) -> None:
    assert created(cli, "--name", "forever", "--expires", "never")["expires_at"] is None


def test_cli_create_expires_date_is_midnight_utc(cli: Run) -> None:
    data = created(cli, "--name", "dated", "--expires", "2099-01-31")
    assert data["expires_at"] == "2099-01-31T00:00:00+00:00"


def test_cli_create_expires_in_past_exit_1(cli: Run) -> None:
    status, out, err = cli("create", "--name", "late", "--expires", "2001-01-01")
    assert (status, out) == (1, "")
    one_line_error(err, "is in the past")


def test_cli_create_bad_expiry_text_exit_2(cli: Run) -> None:
    status, out, err = cli("create", "--name", "x", "--expires", "tomorrow")
    assert (status, out) == (2, "")
    one_line_error(err, "not an expiry: 'tomorrow'")


def test_cli_create_scope_outside_available_exit_1(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEYSMITH_AVAILABLE_SCOPES", "read,write")
    status, _, err = cli("create", "--name", "x", "--scope", "admin")
    assert status == 1
    one_line_error(err, "Scopes not allowed: admin")


def test_cli_create_name_too_long_exit_1(cli: Run) -> None:
    status, _, err = cli("create", "--name", "n" * 200)
    assert status == 1
    one_line_error(err, "must be 128 characters or fewer (got 200)")


def test_cli_list_shows_states_and_never_hashes(cli: Run, database_url: str) -> None:
    active = created(cli, "--name", "active-one")
    revoked = created(cli, "--name", "revoked-one")
    cli("revoke", str(revoked["prefix"]))
    past = datetime(2001, 1, 1, tzinfo=timezone.utc)
    store = SQLTokenStore(database_url)
    store.insert(
        NewToken(
            prefix="tok_Expired1",
            key="pbkdf2_sha512$1$s$h",
            name="old",
            created_at=past,
            expires_at=past,
        )
    )
    keys = [r.key for r in store.list_tokens()]
    store.engine.dispose()

    status, out, _ = cli("list")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["PREFIX", "NAME", "STATE", "EXPIRES", "LAST", "USED"]
    states = {line.split()[0]: line.split()[2] for line in lines[1:]}
    assert states == {
        active["prefix"]: "active",
        revoked["prefix"]: "revoked",
        "tok_Expired1": "expired",
    }
    json_out = cli("--json", "list")[1]
    for key in keys:
        assert key not in out
        assert key not in json_out
    assert "pbkdf2_sha512" not in out + json_out


def test_cli_list_active_and_user_filters(cli: Run) -> None:
    mine = created(cli, "--name", "mine", "--user", "u1")
    created(cli, "--name", "theirs", "--user", "u2")
    gone = created(cli, "--name", "gone", "--user", "u1")
    cli("purge", str(gone["prefix"]))
    listed = json.loads(cli("--json", "list", "--active", "--user", "u1")[1])
    assert [token["prefix"] for token in listed] == [mine["prefix"]]
    assert len(json.loads(cli("--json", "list", "--limit", "2")[1])) == 2


def test_cli_list_empty_database_says_so(cli: Run) -> None:
    assert cli("list") == (0, "No tokens.\n", "")


def test_cli_show_details_without_hashes(cli: Run) -> None:
    token = created(cli, "--name", "shown", "--description", "for the docs", "--scope", "read")
    status, out, _ = cli("show", str(token["prefix"]))
    assert status == 0
    assert "Description: for the docs" in out
    assert "Scopes:      read" in out
    assert "$" not in out


def test_cli_show_unknown_prefix_exit_1(cli: Run) -> None:
    status, out, err = cli("show", "tok_Missing1")
    assert (status, out) == (1, "")
    one_line_error(err, "no token with prefix tok_Missing1")


def test_cli_show_whole_token_refused_without_echoing_secret(cli: Run) -> None:
    raw = str(created(cli, "--name", "pasted")["token"])
    status, _, err = cli("show", raw)
    assert status == 2
    one_line_error(err, "not a whole token")
    assert raw.partition(":")[2] not in err


def test_cli_rotate_new_token_works_and_old_is_refused(cli: Run, database_url: str) -> None:
    token = created(cli, "--name", "rotated")
    status, out, _ = cli("rotate", str(token["prefix"]))
    assert status == 0
    new_raw = out.splitlines()[-1]
    assert authenticate(database_url, new_raw) == token["prefix"]
    with pytest.raises(InvalidToken):
        authenticate(database_url, str(token["token"]))


def test_cli_rotate_with_grace_keeps_old_secret_working(cli: Run, database_url: str) -> None:
    token = created(cli, "--name", "graceful")
    status, out, _ = cli("--json", "rotate", str(token["prefix"]), "--grace", "10m")
    assert status == 0
    assert json.loads(out)["previous_secret_accepted_until"] is not None
    assert authenticate(database_url, str(token["token"])) == token["prefix"]


def test_cli_rotate_revoked_token_exit_1(cli: Run) -> None:
    prefix = str(created(cli, "--name", "dead")["prefix"])
    cli("revoke", prefix)
    status, out, err = cli("rotate", prefix)
    assert (status, out) == (1, "")
    one_line_error(err, f"cannot rotate {prefix}: it is revoked")


def test_cli_revoke_refuses_token_and_reports_repeat(cli: Run, database_url: str) -> None:
    token = created(cli, "--name", "to revoke")
    prefix = str(token["prefix"])
    assert cli("revoke", prefix, "--actor", "ops") == (0, f"Revoked {prefix}.\n", "")
    assert cli("revoke", prefix) == (0, f"{prefix} was already revoked.\n", "")
    with pytest.raises(RevokedToken):
        authenticate(database_url, str(token["token"]))


def test_cli_purge_marks_token_purged(cli: Run) -> None:
    prefix = str(created(cli, "--name", "to purge")["prefix"])
    status, out, _ = cli("--json", "purge", prefix)
    assert status == 0
    assert json.loads(out) == {"prefix": prefix, "changed": True, "state": "purged"}


def test_cli_audit_filters_by_prefix_action_and_time(cli: Run) -> None:
    first = str(created(cli, "--name", "one")["prefix"])
    created(cli, "--name", "two")
    cli("revoke", first, "--actor", "ops")
    events = json.loads(cli("--json", "audit", "--prefix", first)[1])
    assert [e["action"] for e in events] == ["revoked", "created"]
    assert events[0]["extra"] == {"actor_id": "ops", "purge": False}
    assert (events[0]["method"], events[0]["path"]) == ("CLI", "keysmith revoke")
    assert len(json.loads(cli("--json", "audit", "--action", "created")[1])) == 2
    assert len(json.loads(cli("--json", "audit", "--since", "1h", "--limit", "1")[1])) == 1
    assert json.loads(cli("--json", "audit", "--since", "2099-01-01")[1]) == []
    status, out, _ = cli("audit")
    assert status == 0
    assert out.splitlines()[0].split()[:4] == ["TIME", "ACTION", "TOKEN", "STATUS"]


def test_cli_sqlite_without_tables_exit_1_says_run_init(
    run: Run, sqlite_file_url: str, tmp_path: Path
) -> None:
    sqlite3.connect(tmp_path / "keysmith.sqlite3").close()
    status, _, err = run("--database-url", sqlite_file_url, "list")
    assert status == 1
    one_line_error(err, "run `keysmith init` first")


def test_cli_postgres_without_tables_exit_1_says_run_init(run: Run, pg_empty_url: str) -> None:
    status, _, err = run("--database-url", pg_empty_url, "show", "tok_AbCd1234")
    assert status == 1
    one_line_error(err, "has no keysmith tables")


def test_cli_missing_sqlite_file_exit_1_creates_nothing(
    run: Run, sqlite_file_url: str, tmp_path: Path
) -> None:
    status, _, err = run("--database-url", sqlite_file_url, "list")
    assert status == 1
    one_line_error(err, "no database file at")
    assert list(tmp_path.iterdir()) == []


def test_cli_bad_url_exit_2_without_echoing_it(run: Run) -> None:
    status, _, err = run("--database-url", "not a url with s3cret", "list")
    assert status == 2
    one_line_error(err, "Not a database URL")
    assert "s3cret" not in err


def test_cli_unreachable_postgres_exit_1(run: Run) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, _, err = run("--database-url", f"postgresql://u:pw@127.0.0.1:{port}/db", "list")
    assert status == 1
    one_line_error(err, "database error: connection failed")


def test_cli_database_url_from_environment(
    run: Run, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEYSMITH_DATABASE_URL", sqlite_url)
    assert run("list") == (0, "No tokens.\n", "")


def test_cli_global_options_accepted_after_command(run: Run, sqlite_url: str) -> None:
    status, out, _ = run("list", "--json", "--database-url", sqlite_url)
    assert (status, json.loads(out)) == (0, [])


def test_cli_no_command_exit_2(run: Run) -> None:
    status, _, err = run()
    assert status == 2
    one_line_error(err, "the following arguments are required: COMMAND")


def test_cli_audit_bad_since_text_exit_2(cli: Run) -> None:
    status, out, err = cli("audit", "--since", "yesterday")
    assert (status, out) == (2, "")
    one_line_error(err, "not a time: 'yesterday'")
