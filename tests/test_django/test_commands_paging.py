"""The listing commands on long tables: a default page of 100 (``--limit``, ``--all``), keyset
pages newest first (ties broken by id), a JSON list or JSON lines as rows are read."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from test_django.wiring import TokenFactory

from keysmith.core.listing import dumps
from keysmith.management import pages
from keysmith.models import Token, TokenAuditLog
from keysmith.services.tokens import revoke_token

pytestmark = pytest.mark.django_db
NOTE = "--limit N for more, --all for every one"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)


@pytest.fixture
def tokens(make_token: TokenFactory) -> list[Token]:
    """Seven tokens, newest first; three share one created_at (the id breaks the tie)."""
    made = [make_token(name=f"t{n}")[0] for n in range(7)]
    moment = timezone.now()
    Token.objects.filter(pk__in=[t.pk for t in made[2:5]]).update(created_at=moment)
    return list(Token.objects.order_by("-created_at", "-pk"))


def prefixes(lines: str) -> list[str]:
    return [json.loads(line)["prefix"] for line in lines.splitlines()]


def test_list_tokens_limit_newest_first_with_note(tokens: list[Token]) -> None:
    out, err = run("list_tokens", "--limit", "3", "--jsonl")
    assert prefixes(out) == [t.prefix for t in tokens[:3]]
    assert NOTE in err


def test_list_tokens_default_limit_whole_small_table_no_note(tokens: list[Token]) -> None:
    out, err = run("list_tokens")
    assert len(out.strip().splitlines()) == 1 + len(tokens)
    assert out.splitlines()[0].split() == [
        "PREFIX",
        "NAME",
        "OWNER",
        "STATE",
        "EXPIRES",
        "LAST",
        "USED",
    ]
    assert err == ""


@pytest.mark.usefixtures("small_pages")
def test_list_tokens_all_jsonl_keyset_pages_every_token_once(tokens: list[Token]) -> None:
    with CaptureQueriesContext(connection) as queries:
        out, err = run("list_tokens", "--all", "--jsonl")
    assert prefixes(out) == [t.prefix for t in tokens]
    assert err == ""
    reads = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")
        and 'FROM "keysmith_token" ' in q["sql"]
    ]  # fmt: skip
    assert len(reads) == 4  # pages of 2: 2 + 2 + 2 + 1
    assert all("LIMIT 2" in sql for sql in reads)


@pytest.mark.usefixtures("small_pages")
def test_list_tokens_limit_across_pages_exact_count(tokens: list[Token]) -> None:
    out, err = run("list_tokens", "--limit", "5", "--jsonl")
    assert prefixes(out) == [t.prefix for t in tokens[:5]]
    assert NOTE in err
    out, err = run("list_tokens", "--limit", "7", "--jsonl")
    assert len(out.splitlines()) == 7
    assert err == ""


@pytest.mark.usefixtures("small_pages")
def test_list_tokens_json_streamed_is_one_json_list(tokens: list[Token]) -> None:
    out, _ = run("list_tokens", "--all", "--json")
    data = json.loads(out)
    assert [d["prefix"] for d in data] == [t.prefix for t in tokens]
    assert out == dumps(data) + "\n"


@pytest.mark.usefixtures("small_pages")
def test_list_tokens_table_all_pages_every_row(tokens: list[Token]) -> None:
    out, _ = run("list_tokens", "--all")
    listed = [line.split()[0] for line in out.splitlines() if line.startswith("tok_")]
    assert listed == [t.prefix for t in tokens]


def test_list_tokens_state_filtered_in_database(tokens: list[Token]) -> None:
    revoke_token(tokens[1])
    out, _ = run("list_tokens", "--state", "revoked", "--jsonl")
    assert prefixes(out) == [tokens[1].prefix]
    active, _ = run("list_tokens", "--state", "active", "--jsonl", "--all")
    assert tokens[1].prefix not in prefixes(active)
    assert len(prefixes(active)) == len(tokens) - 1


def test_list_tokens_scopes_prefetched_per_page(tokens: list[Token]) -> None:
    with CaptureQueriesContext(connection) as queries:
        out, _ = run("list_tokens", "--jsonl")
    assert len(out.splitlines()) == len(tokens)
    assert len(queries.captured_queries) <= 4  # the page, its scopes, their content types


@pytest.mark.parametrize(
    "args",
    [("--limit", "3", "--all"), ("--json", "--jsonl"), ("--limit", "0")],
)
def test_list_tokens_bad_listing_options_command_error(args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        run("list_tokens", *args)


@pytest.fixture
def events(make_token: TokenFactory) -> list[TokenAuditLog]:
    token, _ = make_token()
    TokenAuditLog.objects.all().delete()
    moment = timezone.now()
    TokenAuditLog.objects.bulk_create(
        [
            TokenAuditLog(
                token=token, action="auth_success", path=f"/{n}", method="GET", status_code=200,
                ip_address="10.0.0.1" if n % 2 else "10.0.0.2", created_at=moment,
            )
            for n in range(5)
        ]
    )  # fmt: skip
    return list(TokenAuditLog.objects.order_by("-created_at", "-pk"))


@pytest.mark.usefixtures("small_pages")
def test_list_audit_logs_all_jsonl_every_row_once_newest_first(
    events: list[TokenAuditLog],
) -> None:
    out, err = run("list_audit_logs", "--all", "--jsonl")
    assert [json.loads(line)["id"] for line in out.splitlines()] == [e.id for e in events]
    assert err == ""
    limited, note = run("list_audit_logs", "--limit", "3", "--jsonl")
    assert len(limited.splitlines()) == 3
    assert NOTE in note


def test_list_audit_logs_ip_filter(events: list[TokenAuditLog]) -> None:
    out, _ = run("list_audit_logs", "--ip", "10.0.0.1", "--jsonl")
    assert [json.loads(line)["path"] for line in out.splitlines()] == ["/3", "/1"]


def test_list_audit_logs_token_filter_reads_by_token_id(events: list[TokenAuditLog]) -> None:
    token = events[0].token
    with CaptureQueriesContext(connection) as queries:
        out, _ = run("list_audit_logs", "--token", token.prefix, "--jsonl")
    assert len(out.splitlines()) == len(events)
    [listing] = [
        q["sql"] for q in queries.captured_queries if 'FROM "keysmith_token_audit_log"' in q["sql"]
    ]
    assert "prefix" not in listing.split("WHERE", 1)[1]
    missing, _ = run("list_audit_logs", "--token", "tok_Nothing1", "--jsonl")
    assert missing == ""
