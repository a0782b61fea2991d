"""``keysmith list`` and ``keysmith audit`` on long tables: a default page (``--limit``,
``--all``), keyset pages newest first with ties broken by id, a JSON list or JSON lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, insert

from keysmith.core import NewToken
from keysmith.core.listing import dumps
from keysmith.sqlalchemy import SQLTokenStore, audit_events, make_engine
from keysmith.sqlalchemy.cli import main

Run = Callable[..., tuple[int, str, str]]
NOTE = "--limit N for more, --all for every one"
NOW = datetime(2030, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], database_url: str) -> Run:
    def run(*argv: str) -> tuple[int, str, str]:
        status = main(["--database-url", database_url, *argv])
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("keysmith.sqlalchemy.cli.commands.PAGE_SIZE", 2)


@pytest.fixture
def prefixes(database_url: str) -> list[str]:
    """Seven tokens; three share one created_at. Their prefixes, newest first."""
    engine = make_engine(database_url)
    store = SQLTokenStore(engine)
    ages = [0, 1, 2, 2, 2, 3, 4]
    for n, age in enumerate(ages):
        store.insert(
            NewToken(
                prefix=f"tok_Page{n:04d}",
                key="hmac_sha256$a$k",
                name=f"t{n}",
                created_at=NOW - timedelta(minutes=age),
            )
        )
    listed = [record.prefix for record in store.list_tokens()]
    engine.dispose()
    return listed


def lines(out: str, field: str) -> list[object]:
    return [json.loads(line)[field] for line in out.splitlines()]


def test_list_limit_newest_first_with_note(cli: Run, prefixes: list[str]) -> None:
    status, out, err = cli("list", "--limit", "3", "--jsonl")
    assert status == 0
    assert lines(out, "prefix") == prefixes[:3]
    assert NOTE in err


def test_list_default_limit_small_table_whole_no_note(cli: Run, prefixes: list[str]) -> None:
    status, out, err = cli("list")
    assert (status, err) == (0, "")
    assert [line.split()[0] for line in out.splitlines()[1:]] == prefixes


@pytest.mark.usefixtures("small_pages")
def test_list_all_jsonl_keyset_pages_every_token_once(
    cli: Run, prefixes: list[str], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements: list[str] = []
    real = make_engine

    def watched(*args: object, **kwargs: object) -> object:
        engine = real(*args, **kwargs)  # type: ignore[arg-type]
        event.listen(engine, "before_cursor_execute", lambda *call: statements.append(str(call[2])))
        return engine

    monkeypatch.setattr("keysmith.sqlalchemy.cli.make_engine", watched)
    status, out, err = cli("list", "--all", "--jsonl")
    assert (status, err) == (0, "")
    assert lines(out, "prefix") == prefixes
    pages = [s for s in statements if "FROM keysmith_tokens" in s and "LIMIT" in s]
    assert len(pages) == 4  # 2 + 2 + 2 + 1


@pytest.mark.usefixtures("small_pages")
def test_list_json_streamed_is_one_json_list(cli: Run, prefixes: list[str]) -> None:
    _, out, _ = cli("--json", "list", "--all")
    data = json.loads(out)
    assert [d["prefix"] for d in data] == prefixes
    assert out == dumps(data) + "\n"


@pytest.mark.usefixtures("small_pages")
def test_list_limit_across_pages_exact(cli: Run, prefixes: list[str]) -> None:
    _, out, err = cli("list", "--limit", "5", "--jsonl")
    assert lines(out, "prefix") == prefixes[:5]
    assert NOTE in err
    _, out, err = cli("list", "--limit", "7", "--jsonl")
    assert lines(out, "prefix") == prefixes
    assert err == ""


def test_list_limit_and_all_exit_2(cli: Run) -> None:
    status, _, err = cli("list", "--limit", "3", "--all")
    assert status == 2
    assert "not allowed with argument" in err


@pytest.fixture
def event_ids(database_url: str) -> list[int]:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(audit_events),
            [
                {"action": "auth_success", "path": f"/{n}", "created_at": NOW, "extra": {}}
                for n in range(5)
            ],
        )
    engine.dispose()
    return [5, 4, 3, 2, 1]  # one moment: newest id first


@pytest.mark.usefixtures("small_pages")
def test_audit_all_jsonl_every_event_once_ties_by_id(cli: Run, event_ids: list[int]) -> None:
    status, out, err = cli("audit", "--all", "--jsonl")
    assert (status, err) == (0, "")
    assert lines(out, "path") == ["/4", "/3", "/2", "/1", "/0"]
    _, limited, note = cli("audit", "--limit", "3", "--jsonl")
    assert lines(limited, "path") == ["/4", "/3", "/2"]
    assert NOTE in note
