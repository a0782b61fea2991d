"""A locked audit table never stalls authentication, a lifecycle call or a token command."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test import Client, override_settings
from support.pglock import finishes, locked_table
from test_django.wiring import TokenFactory

from keysmith.audit.logger import log_audit_event
from keysmith.auth.base import authenticate_token
from keysmith.django.runtime import build_sink, flush_audit_log
from keysmith.django.settings import load_settings
from keysmith.models import Token, TokenAuditLog
from keysmith.services.tokens import create_token, revoke_token, rotate_token

HEADER = "HTTP_X_KEYSMITH_TOKEN"
AUDIT_TABLE = "keysmith_token_audit_log"
BOUNDED = {"HASH_ITERATIONS": 10_000, "AUDIT_WRITE_TIMEOUT": 0.2}
TESTS_DIR = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.django_db(transaction=True)


def postgres_dsn() -> str:
    if connection.vendor != "postgresql":
        pytest.skip("locked tables are tested on PostgreSQL (KEYSMITH_TEST_DB=postgres)")
    db = connection.settings_dict
    return f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"


def actions() -> list[str]:
    return list(TokenAuditLog.objects.order_by("id").values_list("action", flat=True))


def test_audit_write_timeout_default_is_one_second() -> None:
    loaded, problems = load_settings({})
    assert problems == []
    assert loaded is not None
    assert loaded.AUDIT_WRITE_TIMEOUT == 1.0
    sink = build_sink(loaded)
    assert getattr(sink, "direct", sink).write_timeout == 1.0


@pytest.mark.parametrize("value", [0, -1, "soon", True, 3601, float("nan"), float("inf")])
def test_audit_write_timeout_bad_value_is_a_clear_error(value: object) -> None:
    loaded, problems = load_settings({"AUDIT_WRITE_TIMEOUT": value})
    assert loaded is None
    assert [problem.message for problem in problems] == [
        "KEYSMITH['AUDIT_WRITE_TIMEOUT'] must be a number of seconds above 0 and at most 3600, "
        f"or None for no bound; got {value!r}."
    ]


@pytest.mark.parametrize(("value", "expected"), [(None, None), (0.25, 0.25), (5, 5.0)])
def test_audit_write_timeout_accepted_values(value: object, expected: float | None) -> None:
    loaded, _ = load_settings({"AUDIT_WRITE_TIMEOUT": value})
    assert loaded is not None
    assert expected == loaded.AUDIT_WRITE_TIMEOUT


@override_settings(KEYSMITH=BOUNDED)
def test_request_audit_table_locked_answers_while_lock_is_held(
    make_token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    dsn = postgres_dsn()
    _, raw = make_token()
    with caplog.at_level(logging.ERROR, logger="keysmith"), locked_table(dsn, AUDIT_TABLE) as lock:
        response = finishes(lambda: Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw))
        assert response.status_code == 200
        assert lock.held()
    assert "audit sink failed to record 'auth_success'" in caplog.text
    assert raw.partition(":")[2] not in caplog.text
    assert actions() == ["created"]  # the request's row is the one lost


@override_settings(KEYSMITH=BOUNDED)
def test_lifecycle_calls_audit_table_locked_return_their_results(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dsn = postgres_dsn()
    with caplog.at_level(logging.ERROR, logger="keysmith"), locked_table(dsn, AUDIT_TABLE) as lock:
        token, _ = finishes(lambda: create_token(name="made while locked"))
        raw = finishes(lambda: rotate_token(token))
        finishes(lambda: revoke_token(token))
        assert lock.held()
    with pytest.raises(Exception, match="revoked"):
        authenticate_token(raw)
    assert Token.objects.get(pk=token.pk).revoked
    for action in ("created", "rotated", "revoked"):
        assert f"audit sink failed to record {action!r} of {token.prefix}" in caplog.text
    assert actions() == []


@override_settings(KEYSMITH=BOUNDED)
def test_lifecycle_row_inside_atomic_audit_table_locked_keeps_transaction_usable() -> None:
    dsn = postgres_dsn()

    def create_in_atomic() -> tuple[Any, str, int]:
        with transaction.atomic():
            token, raw = create_token(name="in a transaction")
            count = Token.objects.filter(pk=token.pk).count()  # the transaction still works
        return token, raw, count

    with locked_table(dsn, AUDIT_TABLE) as lock:
        token, raw, count = finishes(create_in_atomic)
        assert lock.held()
    assert count == 1
    assert authenticate_token(raw).pk == token.pk


@override_settings(KEYSMITH=BOUNDED)
def test_lifecycle_row_inside_atomic_leaves_callers_own_timeouts() -> None:
    postgres_dsn()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL lock_timeout = '7s'")
        create_token(name="timeouts kept")
        cursor.execute(
            "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
        )
        assert cursor.fetchone() == ("7s", "0")
    assert actions() == ["created"]


@override_settings(KEYSMITH={**BOUNDED, "AUDIT_BUFFER_SECONDS": 3600})
@pytest.mark.usefixtures("real_audit_buffer")
def test_buffered_rows_audit_table_locked_batch_gives_up_and_is_logged(
    make_token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    dsn = postgres_dsn()
    _, raw = make_token()
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    with caplog.at_level(logging.ERROR, logger="keysmith"), locked_table(dsn, AUDIT_TABLE) as lock:
        finishes(flush_audit_log)
        assert lock.held()
    assert "dropped 1 audit events" in caplog.text
    assert actions() == ["created"]


@override_settings(KEYSMITH=BOUNDED)
def test_audit_write_sqlite_locked_database_waits_only_the_timeout() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite busy timeout is tested on SQLite")

    def audit_with_patient_connection() -> int:
        # This thread's connection would wait a minute for the lock; the audit write must not.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 60000")
            log_audit_event(action="auth_failed", status_code=401)
            cursor.execute("PRAGMA busy_timeout")
            busy: int = cursor.fetchone()[0]
        return busy

    locker = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # holds the write lock
        assert finishes(audit_with_patient_connection) == 60000  # given back after the write
        assert locker.in_transaction
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert actions() == []


@pytest.mark.parametrize("command", ["create_token", "rotate_token"])
def test_token_command_prints_raw_token_before_writing_audit_row(
    command: str, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    out = StringIO()
    printed_when_written: list[str] = []

    def row_written(sender: Any, **kwargs: Any) -> None:
        printed_when_written.append(out.getvalue())

    args = ["new token"] if command == "create_token" else [token.prefix]
    post_save.connect(row_written, sender=TokenAuditLog)
    try:
        call_command(command, *args, "--quiet", stdout=out)
    finally:
        post_save.disconnect(row_written, sender=TokenAuditLog)
    raw = out.getvalue().strip()
    assert printed_when_written == [out.getvalue()]
    assert authenticate_token(raw)
    assert actions()[-1] == ("created" if command == "create_token" else "rotated")


def test_create_token_command_subprocess_audit_table_locked_prints_token(
    tmp_path: Path,
) -> None:
    dsn = postgres_dsn()
    db = connection.settings_dict
    (tmp_path / "locked_audit_settings.py").write_text(
        "from test_django.settings import *  # noqa: F403\n"
        f"DATABASES['default'].update(HOST={db['HOST']!r}, PORT={db['PORT']!r}, "
        f"USER={db['USER']!r}, NAME={db['NAME']!r})\n"
        "KEYSMITH = {'HASH_ITERATIONS': 10_000, 'AUDIT_WRITE_TIMEOUT': 0.5}\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "locked_audit_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(TESTS_DIR)]),
        "KEYSMITH_TEST_DB": "postgres",
    }
    with locked_table(dsn, AUDIT_TABLE) as lock:
        done = subprocess.run(
            [sys.executable, "-m", "django", "create_token", "deploy", "--quiet"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert lock.held()
    assert done.returncode == 0, done.stderr
    raw = done.stdout.strip()
    assert authenticate_token(raw).name == "deploy"
    assert "Warning: the 'created' audit row for" in done.stderr
    assert "the change itself is saved" in done.stderr
    assert raw.partition(":")[2] not in done.stderr
    assert actions() == []
