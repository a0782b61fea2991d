"""A project's own test suite runs clean: Django's runner and pytest-django, in a subprocess.

The project in ``userproject/`` keeps keysmith's defaults (authentication rows buffered for a
second) and tests a plain view with the test client and a DRF view with ``APIClient``, in
``TestCase``, ``TransactionTestCase`` and pytest-django tests, one of which deletes a token
after its request. Its output must show no error that is not the project's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent / "userproject"
RUNNERS = {
    "django": [sys.executable, "manage.py", "test", "shop"],
    "pytest": [sys.executable, "-m", "pytest", "-q"],
}


def create_database(dsn: str, name: str) -> None:
    psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(dsn, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def run_suite(runner: str, db: str, workdir: Path, request: pytest.FixtureRequest) -> str:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "DJANGO_", "KEYSMITH_")) and name != "PYTHONPATH"
    }
    env.update(SHOP_DB=db, SHOP_DIR=str(workdir), PYTHONDONTWRITEBYTECODE="1")
    if db == "postgres":
        server = request.getfixturevalue("postgres_server")
        create_database(server.dsn, "shop")  # the project's own database, as it has one
        env.update(
            SHOP_PG_HOST=server.host, SHOP_PG_PORT=str(server.port), SHOP_PG_USER=server.user
        )
    result = subprocess.run(
        RUNNERS[runner],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
@pytest.mark.parametrize("runner", ["django", "pytest"])
def test_user_project_suite_default_buffer_prints_no_foreign_errors(
    runner: str, db: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    output = run_suite(runner, db, tmp_path, request)
    assert ("\nOK" in output) if runner == "django" else (" passed" in output), output
    assert "Traceback" not in output, output
    assert "dropped" not in output, output
    assert "keysmith:" not in output, output  # every keysmith log line starts so
    assert "Error" not in output, output
