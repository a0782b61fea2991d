"""The audit-log admin: read-only, and filterable by token, action, path, status and time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from test_django_admin.conftest import StaffClient, TokenFactory
from test_django_admin.helpers import AUDIT_CHANGELIST

from keysmith.models import Token, TokenAuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def trail(client: Client, make_token: TokenFactory) -> dict[str, str]:
    """Rows written by real requests through the middleware: two tokens, two paths."""
    first, first_raw = make_token(name="first")
    second, _ = make_token(name="second")
    client.get("/required/", HTTP_X_KEYSMITH_TOKEN=first_raw)
    client.get("/scoped/", HTTP_X_KEYSMITH_TOKEN=first_raw)  # 403: the token lacks the scopes
    client.get("/required/", HTTP_X_KEYSMITH_TOKEN=first_raw + "x")  # 401, malformed: no token row
    client.get("/required/")  # 401, no token
    return {"first": first.prefix, "second": second.prefix}


def listed(client: Client, query: str = "") -> list[TokenAuditLog]:
    response = client.get(f"{AUDIT_CHANGELIST}?{query}")
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_audit_changelist_shows_the_columns(admin_client: Client, trail: dict[str, str]) -> None:
    html = admin_client.get(AUDIT_CHANGELIST).content.decode()
    for header in ("Created at", "Action", "Token", "Path", "Method", "Status code", "Ip address"):
        assert header in html
    assert f">{trail['first']}</a>" in html
    assert "/required/" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action__exact=created", {("created", "")}),
        ("status_code__exact=401", {("auth_failed", "/required/")}),
        ("status_code__exact=403", {("auth_success", "/scoped/")}),
        ("path=/scop", {("auth_success", "/scoped/")}),
        ("path=/required/&action__exact=auth_success", {("auth_success", "/required/")}),
    ],
)
def test_audit_changelist_filters_select_rows(
    admin_client: Client, trail: dict[str, str], query: str, expected: set[tuple[str, str]]
) -> None:
    assert {(row.action, row.path) for row in listed(admin_client, query)} == expected


def test_audit_changelist_token_filter_selects_that_tokens_rows(
    admin_client: Client, trail: dict[str, str]
) -> None:
    rows = listed(admin_client, f"token={trail['second']}")
    assert [(row.action, row.token.prefix) for row in rows] == [("created", trail["second"])]
    first = listed(admin_client, f"token={trail['first']}")
    assert {row.action for row in first} == {"created", "auth_success"}


def test_audit_changelist_text_filter_keeps_other_filters_in_its_form(
    admin_client: Client, trail: dict[str, str]
) -> None:
    html = admin_client.get(f"{AUDIT_CHANGELIST}?action__exact=created&q=x").content.decode()
    assert '<input type="hidden" name="action__exact" value="created">' in html
    assert '<input type="hidden" name="q" value="x">' in html
    assert 'name="token"' in html
    assert 'name="path"' in html
    filtered = admin_client.get(f"{AUDIT_CHANGELIST}?token={trail['first']}&q=x").content.decode()
    assert '<a href="?q=x">Clear</a>' in filtered


def test_audit_changelist_time_filters_select_rows(
    admin_client: Client, trail: dict[str, str]
) -> None:
    old = TokenAuditLog.objects.order_by("id")[0]
    TokenAuditLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    response = admin_client.get(AUDIT_CHANGELIST)
    (spec,) = [f for f in response.context["cl"].filter_specs if f.title == "created at"]
    links = {
        choice["display"]: choice["query_string"] for choice in spec.choices(response.context["cl"])
    }
    recent = listed(admin_client, links["Past 7 days"].lstrip("?"))
    assert old.pk not in {row.pk for row in recent}
    assert len(recent) == TokenAuditLog.objects.count() - 1
    today = timezone.localdate()
    hierarchy = listed(
        admin_client, f"created_at__year={today.year}&created_at__month={today.month}"
    )
    assert {row.pk for row in hierarchy} == {row.pk for row in recent}


def test_audit_changelist_search_by_token_prefix(
    admin_client: Client, trail: dict[str, str]
) -> None:
    rows = listed(admin_client, f"q={trail['second']}")
    assert [row.token.prefix for row in rows] == [trail["second"]]


def test_audit_admin_is_read_only(admin_client: Client, trail: dict[str, str]) -> None:
    row = TokenAuditLog.objects.order_by("id")[0]
    detail = f"{AUDIT_CHANGELIST}{row.pk}/change/"
    response = admin_client.get(detail)
    assert response.status_code == 200
    html = response.content.decode()
    assert "&quot;actor_id&quot;: null" in html
    assert 'name="_save"' not in html
    assert admin_client.post(detail, {"action": "revoked", "path": "/x"}).status_code == 403
    assert admin_client.get(f"{AUDIT_CHANGELIST}add/").status_code == 403
    assert admin_client.post(f"{AUDIT_CHANGELIST}{row.pk}/delete/").status_code == 403
    changelist = admin_client.get(AUDIT_CHANGELIST).content.decode()
    assert "delete_selected" not in changelist
    row.refresh_from_db()
    assert row.action == "created"


def test_audit_admin_view_permission_can_browse(
    staff_client: StaffClient, trail: dict[str, str]
) -> None:
    client = staff_client("view_tokenauditlog")
    assert client.get(AUDIT_CHANGELIST).status_code == 200
    assert staff_client(username="nobody").get(AUDIT_CHANGELIST).status_code == 403


@pytest.fixture
def owned_trail(client: Client, make_token: TokenFactory) -> dict[str, Token]:
    """Rows of a token owned by ``owner``, of bob's, of a system token, and of no token."""
    users = get_user_model().objects
    tokens = {
        "own": make_token(name="own", user=users.create_user("owner")),
        "other": make_token(name="other", user=users.create_user("bob")),
        "system": make_token(name="system", token_type="system"),
    }
    for _, raw in tokens.values():
        client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    client.get("/required/")  # 401 without a token: a row that belongs to nobody
    return {kind: token for kind, (token, _) in tokens.items()}


def test_audit_changelist_without_manage_permission_lists_only_own_tokens_rows(
    staff_client: StaffClient, owned_trail: dict[str, Token]
) -> None:
    assert not listed(staff_client("view_tokenauditlog"))  # owns no token
    owner = get_user_model().objects.get(username="owner")
    owner.is_staff = True
    owner.save()
    owner.user_permissions.set(Permission.objects.filter(codename="view_tokenauditlog"))
    client = Client()
    client.force_login(owner)
    rows = listed(client)
    assert {row.action for row in rows} == {"created", "auth_success"}
    assert {row.token_id for row in rows} == {owned_trail["own"].pk}
    html = client.get(AUDIT_CHANGELIST).content.decode()
    for kind in ("other", "system"):
        assert owned_trail[kind].prefix not in html
        assert not listed(client, f"token={owned_trail[kind].prefix}")


def test_audit_detail_of_others_row_is_as_if_missing(
    staff_client: StaffClient, owned_trail: dict[str, Token]
) -> None:
    client = staff_client("view_tokenauditlog")
    rows = TokenAuditLog.objects.all()
    assert len(rows) == 7  # created and auth_success for each token, one without a token
    for row in rows:
        response = client.get(f"{AUDIT_CHANGELIST}{row.pk}/change/")
        assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_audit_changelist_with_manage_permission_lists_every_row(
    staff_client: StaffClient, owned_trail: dict[str, Token]
) -> None:
    client = staff_client("view_tokenauditlog", "manage_others_tokens")
    assert len(listed(client)) == TokenAuditLog.objects.count() == 7
