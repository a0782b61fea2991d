"""The admin pages stay cheap on large tables: no full counts, no DISTINCT lookups, one token's
audit rows read by its id, starts-with searches; the filters still select the right rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.admin import AdminSite
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from support.docs_samples import docs_sample
from test_django_admin.conftest import StaffClient, TokenFactory
from test_django_admin.helpers import AUDIT_CHANGELIST, CHANGELIST, token_url, user_named

from keysmith.admin import audit as audit_admin
from keysmith.admin.pagination import CappedCountPaginator
from keysmith.models import Token, TokenAuditLog

pytestmark = pytest.mark.django_db

STATUSES = (200, 204, 302, 401, 403, 429, 500, 0)


@pytest.fixture
def rows(make_token: TokenFactory) -> dict[str, Token]:
    """Two tokens; one audit row per status code for the first, one 200 row for the second."""
    first, _ = make_token(name="Deploy bot")
    second, _ = make_token(name="backup")
    TokenAuditLog.objects.all().delete()
    for status in STATUSES:
        TokenAuditLog.objects.create(
            token=first, action="auth_success", path="/p", method="GET", status_code=status
        )
    TokenAuditLog.objects.create(
        token=second, action="auth_failed", path="/q", method="GET", status_code=200
    )
    return {"first": first, "second": second}


def page(client: Client, url: str) -> tuple[list[str], list[object]]:
    """The SQL a page view ran, and the rows its changelist lists."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    listed = list(response.context["cl"].result_list) if "cl" in response.context else []
    return [query["sql"] for query in queries.captured_queries], listed


def assert_cheap(sql: list[str]) -> None:
    for statement in sql:
        assert "DISTINCT" not in statement.upper(), statement
        if "COUNT(" in statement.upper():
            assert "LIMIT" in statement.upper(), f"an uncapped count: {statement}"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "action__exact=auth_failed",
        "status=4xx",
        "created_at__gte=2000-01-01+00:00:00%2B00:00",
        "token=tok_nothing1",
        "q=tok_nothing1",
        "path=/p",
        "_facets=1",
    ],
)
def test_audit_changelist_no_full_count_no_distinct(
    admin_client: Client, rows: dict[str, Token], query: str
) -> None:
    sql, _ = page(admin_client, f"{AUDIT_CHANGELIST}?{query}")
    assert_cheap(sql)


@pytest.mark.parametrize(
    "query", ["", "q=tok_", "q=Deploy", "revoked__exact=1", "expiry=never", "_facets=1"]
)
def test_token_changelist_no_full_count_no_distinct(
    admin_client: Client, rows: dict[str, Token], query: str
) -> None:
    sql, _ = page(admin_client, f"{CHANGELIST}?{query}")
    assert_cheap(sql)


def test_token_change_page_no_full_count_no_distinct(
    admin_client: Client, rows: dict[str, Token]
) -> None:
    sql, _ = page(admin_client, token_url(rows["first"]))
    assert_cheap(sql)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("2xx", {200, 204}),
        ("3xx", {302}),
        ("4xx", {401, 403, 429}),
        ("401", {401}),
        ("403", {403}),
        ("429", {429}),
        ("5xx", {500}),
        ("0", {0}),
        ("", {*STATUSES}),
    ],
)
def test_audit_status_filter_selects_class(
    admin_client: Client, rows: dict[str, Token], status: str, expected: set[int]
) -> None:
    _, listed = page(
        admin_client, f"{AUDIT_CHANGELIST}?status={status}&token={rows['first'].prefix}"
    )
    assert {row.status_code for row in listed} == expected  # type: ignore[attr-defined]


def test_audit_token_filter_reads_rows_by_token_id(
    admin_client: Client, rows: dict[str, Token]
) -> None:
    first = rows["first"]
    sql, listed = page(admin_client, f"{AUDIT_CHANGELIST}?token={first.prefix}")
    assert len(listed) == len(STATUSES)
    [listing] = [s for s in sql if 'FROM "keysmith_token_audit_log"' in s and "LIMIT 100" in s]
    where = listing.split("WHERE", 1)[1]
    assert "prefix" not in where  # not joined on the prefix: filtered by the token's id
    assert first.pk.hex in where.replace("-", "")


def test_audit_search_exact_prefix_selects_that_tokens_rows(
    admin_client: Client, rows: dict[str, Token]
) -> None:
    second = rows["second"]
    _, listed = page(admin_client, f"{AUDIT_CHANGELIST}?q={second.prefix}")
    assert [row.token_id for row in listed] == [second.pk]  # type: ignore[attr-defined]
    _, partial = page(admin_client, f"{AUDIT_CHANGELIST}?q={second.prefix[:-1]}")
    assert partial == []


def test_token_search_starts_with_prefix_or_name(
    admin_client: Client, rows: dict[str, Token]
) -> None:
    first = rows["first"]
    _, by_prefix = page(admin_client, f"{CHANGELIST}?q={first.prefix[:-2]}")
    assert [token.pk for token in by_prefix] == [first.pk]  # type: ignore[attr-defined]
    _, by_name = page(admin_client, f"{CHANGELIST}?q=Deploy")
    assert [token.pk for token in by_name] == [first.pk]  # type: ignore[attr-defined]
    _, inside = page(admin_client, f"{CHANGELIST}?q=bot")
    assert inside == []  # names are matched from their start


@pytest.fixture
def small_cap() -> Iterator[None]:
    CappedCountPaginator.cap = 3
    yield
    CappedCountPaginator.cap = 10_000


@pytest.mark.usefixtures("small_cap")
def test_audit_changelist_count_capped(admin_client: Client, rows: dict[str, Token]) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(AUDIT_CHANGELIST)
    assert response.context["cl"].result_count == 3
    assert TokenAuditLog.objects.count() > 3
    [count] = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "LIMIT 3" in count


def test_audit_changelist_offers_no_date_drill_down(
    admin_client: Client, rows: dict[str, Token]
) -> None:
    response = admin_client.get(AUDIT_CHANGELIST)
    assert response.context["cl"].date_hierarchy is None
    titles = {spec.title for spec in response.context["cl"].filter_specs}
    assert {"status code", "action", "created at", "token prefix", "path"} <= titles


@pytest.mark.usefixtures("small_cap")
def test_docs_sample_capped_count_admin_counts_up_to_cap(
    rows: dict[str, Token], admin_user: Any, rf: RequestFactory
) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(docs_sample("admin.md", "capped-count-admin"), "docs/admin.md", "exec"), namespace)
    site = AdminSite(name="team")
    site.register(TokenAuditLog, namespace["TeamAuditLogAdmin"])
    request = rf.get("/team/keysmith/tokenauditlog/")
    request.user = admin_user
    with CaptureQueriesContext(connection) as queries:
        changelist = site._registry[TokenAuditLog].get_changelist_instance(request)
    assert (changelist.result_count, changelist.list_per_page) == (3, 50)
    assert_cheap([q["sql"] for q in queries.captured_queries])


@pytest.fixture
def own_rows(staff_client: StaffClient, make_token: TokenFactory, rows: dict[str, Token]) -> Any:
    """A staff user without manage_others_tokens, with one token and its two rows."""
    client = staff_client("view_tokenauditlog")
    mine, _ = make_token(name="mine", user=user_named())
    TokenAuditLog.objects.filter(token=mine).delete()
    for status in (200, 401):
        TokenAuditLog.objects.create(
            token=mine, action="auth_success", path="/mine", method="GET", status_code=status
        )
    return client, mine


def test_audit_changelist_own_rows_read_by_token_ids(own_rows: Any) -> None:
    client, mine = own_rows
    sql, listed = page(client, AUDIT_CHANGELIST)
    assert [row.token_id for row in listed] == [mine.pk, mine.pk]  # type: ignore[attr-defined]
    [listing] = [s for s in sql if 'FROM "keysmith_token_audit_log"' in s and "LIMIT 100" in s]
    assert '"token_id" IN (' in listing
    assert_cheap(sql)


def test_audit_changelist_many_own_tokens_still_only_own_rows(
    own_rows: Any, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, mine = own_rows
    make_token(name="mine too", user=user_named())
    monkeypatch.setattr(audit_admin, "OWN_TOKEN_IDS", 1)
    sql, listed = page(client, AUDIT_CHANGELIST)
    # The created row of the second token, and the two rows of the first.
    assert {row.token.user_id for row in listed} == {mine.user_id}  # type: ignore[attr-defined]
    assert len(listed) == 3
    [listing] = [s for s in sql if 'FROM "keysmith_token_audit_log"' in s and "LIMIT 100" in s]
    assert '"token_id" IN (' not in listing
