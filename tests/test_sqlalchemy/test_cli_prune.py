"""``keysmith prune-audit``: old audit events go in batches of one transaction each, oldest
first, with progress on stderr; ``--dry-run`` counts them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, func, insert, select

from keysmith.sqlalchemy import audit_events, make_engine
from keysmith.sqlalchemy.cli import main

Run = Callable[..., tuple[int, str, str]]
OLD, RECENT = 25, 3


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], database_url: str) -> Run:
    def run(*argv: str) -> tuple[int, str, str]:
        status = main(["--database-url", database_url, *argv])
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def events(database_url: str) -> None:
    now = datetime.now(timezone.utc)
    ages = [timedelta(days=40 + n) for n in range(OLD)] + [timedelta(0)] * RECENT
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(audit_events),
            [
                {"action": "auth_success", "path": f"/{n}", "created_at": now - age, "extra": {}}
                for n, age in enumerate(ages)
            ],
        )
    engine.dispose()


def remaining(database_url: str) -> int:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        count = int(connection.execute(select(func.count()).select_from(audit_events)).scalar_one())
    engine.dispose()
    return count


@pytest.mark.usefixtures("events")
def test_prune_audit_deletes_old_events_in_batches(cli: Run, database_url: str) -> None:
    status, out, err = cli("prune-audit", "--days", "30", "--batch-size", "10")
    assert (status, out) == (0, "Deleted 25 audit events older than 30 days.\n")
    assert err.splitlines() == [
        "keysmith: batch 1: 10 rows deleted",
        "keysmith: batch 2: 20 rows deleted",
        "keysmith: batch 3: 25 rows deleted",
    ]
    assert remaining(database_url) == RECENT


@pytest.mark.usefixtures("events")
def test_prune_audit_one_transaction_per_batch(
    cli: Run, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    real = make_engine

    def counting_engine(*args: object, **kwargs: object) -> object:
        engine = real(*args, **kwargs)  # type: ignore[arg-type]
        event.listen(engine, "commit", lambda connection: seen.append("COMMIT"))
        event.listen(
            engine,
            "before_cursor_execute",
            lambda *call: seen.append(call[2].split()[0]),
        )
        return engine

    monkeypatch.setattr("keysmith.sqlalchemy.cli.make_engine", counting_engine)
    status, _, _ = cli("prune-audit", "--days", "30", "--batch-size", "10")
    assert status == 0
    writes = [step for step in seen if step in {"DELETE", "COMMIT"}]
    assert writes == ["DELETE", "COMMIT"] * 3
    assert remaining(database_url) == RECENT


@pytest.mark.usefixtures("events")
def test_prune_audit_dry_run_counts_deletes_nothing(cli: Run, database_url: str) -> None:
    status, out, err = cli(
        "--json", "prune-audit", "--days", "30", "--batch-size", "10", "--dry-run"
    )
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert (data["dry_run"], data["deleted"], data["batches"]) == (True, OLD, 3)
    assert remaining(database_url) == OLD + RECENT
    _, text, _ = cli("prune-audit", "--days", "30", "--dry-run")
    assert text.startswith("Would delete 25 audit events older than 30 days, in 1 batches")


@pytest.mark.usefixtures("events")
def test_prune_audit_json_reports_batches(cli: Run, database_url: str) -> None:
    status, out, _ = cli("prune-audit", "--days", "30", "--batch-size", "5", "--json")
    assert status == 0
    data = json.loads(out)
    assert (data["dry_run"], data["deleted"], data["batches"]) == (False, OLD, 5)
    assert remaining(database_url) == RECENT


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "the following arguments are required: --days"),
        (("--days", "-1"), "not a number of days"),
        (("--days", "30", "--batch-size", "0"), "not a positive whole number"),
    ],
)
def test_prune_audit_bad_arguments_exit_2(cli: Run, args: tuple[str, ...], message: str) -> None:
    status, out, err = cli("prune-audit", *args)
    assert (status, out) == (2, "")
    assert message in err
    assert "Traceback" not in err
