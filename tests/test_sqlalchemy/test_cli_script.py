"""The installed ``keysmith`` console script and ``python -m keysmith.sqlalchemy``, as processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from keysmith.core import RevokedToken
from keysmith.sqlalchemy import service

SCRIPT = Path(sys.executable).with_name("keysmith")


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYSMITH_")}
    env["KEYSMITH_HASH_ITERATIONS"] = "1000"
    return env


def run(cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def keysmith(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    assert SCRIPT.exists(), f"the keysmith console script is not installed next to {sys.executable}"
    return run(cwd, str(SCRIPT), *argv)


def test_console_script_lifecycle_on_database(database_url: str, tmp_path: Path) -> None:
    url = ("--database-url", database_url)
    init = keysmith(tmp_path, *url, "init")
    assert (init.returncode, init.stderr) == (0, "")
    assert "already exist" in init.stdout
    made = keysmith(tmp_path, *url, "--json", "create", "--name", "script", "--scope", "read")
    assert (made.returncode, made.stderr) == (0, "")
    token = json.loads(made.stdout)
    listed = keysmith(tmp_path, *url, "list")
    assert token["prefix"] in listed.stdout
    revoked = keysmith(tmp_path, *url, "revoke", token["prefix"])
    assert (revoked.returncode, revoked.stdout) == (0, f"Revoked {token['prefix']}.\n")
    svc = service(database_url, audit_buffer_seconds=0)  # its auth_failed row at once
    try:
        with pytest.raises(RevokedToken):
            svc.authenticate(token["token"])
    finally:
        svc.store.engine.dispose()
    audit = keysmith(tmp_path, *url, "--json", "audit", "--prefix", token["prefix"])
    actions = [event["action"] for event in json.loads(audit.stdout)]
    assert actions == ["auth_failed", "revoked", "created"]


def test_console_script_default_database_is_sqlite_file_in_working_dir(tmp_path: Path) -> None:
    init = keysmith(tmp_path, "init")
    assert init.returncode == 0
    assert (tmp_path / "keysmith.sqlite3").is_file()
    # The relative default is reported by the absolute path it resolved to.
    assert f"in sqlite:///{tmp_path / 'keysmith.sqlite3'}." in init.stdout
    made = keysmith(tmp_path, "create", "--name", "local")
    assert made.returncode == 0
    assert made.stdout.splitlines()[-1].startswith("tok_")


def test_console_script_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    result = keysmith(tmp_path, "rotate", "tok_AbCd1234")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"keysmith: error: no database file at {tmp_path / 'keysmith.sqlite3'}; "
        "run `keysmith init` to create it\n"
    )


def test_python_m_keysmith_sqlalchemy_help_lists_commands(tmp_path: Path) -> None:
    result = run(tmp_path, sys.executable, "-m", "keysmith.sqlalchemy", "--help")
    assert result.returncode == 0
    for command in ("init", "create", "list", "show", "rotate", "revoke", "purge", "audit"):
        assert command in result.stdout


def test_console_script_init_creates_database_file_owner_only(tmp_path: Path) -> None:
    folder_mode = stat.S_IMODE(tmp_path.stat().st_mode)
    # Under this umask a file SQLite creates itself is 0644.
    old = os.umask(0o022)
    try:
        result = keysmith(tmp_path, "init")
    finally:
        os.umask(old)
    assert (result.returncode, result.stderr) == (0, "")
    database = tmp_path / "keysmith.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == folder_mode


def test_console_script_init_existing_open_file_keeps_mode_and_warns(tmp_path: Path) -> None:
    database = tmp_path / "keysmith.sqlite3"
    database.touch()
    database.chmod(0o644)
    result = keysmith(tmp_path, "init")
    assert result.returncode == 0
    assert result.stderr == (
        f"keysmith: warning: {database} is open to other users (mode 0644); "
        f"run: chmod 600 {database}\n"
    )
    assert stat.S_IMODE(database.stat().st_mode) == 0o644
    database.chmod(0o600)
    assert keysmith(tmp_path, "init").stderr == ""


def test_console_script_list_and_show_escape_control_characters(tmp_path: Path) -> None:
    assert keysmith(tmp_path, "init").returncode == 0
    name = "ops\x1b]0;pwned\x07\x1b[2J"
    made = keysmith(tmp_path, "--json", "create", "--name", name, "--description", "a\nb")
    prefix = json.loads(made.stdout)["prefix"]
    for argv in (("list",), ("show", prefix)):
        shown = keysmith(tmp_path, *argv).stdout
        assert "\x1b" not in shown
        assert "\x07" not in shown
        assert "ops\\x1b]0;pwned\\x07\\x1b[2J" in shown
    assert "a\\nb" in keysmith(tmp_path, "show", prefix).stdout
