"""The token change form and changelist: what they show, what they let an admin change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings
from django.utils import timezone
from test_django_admin.conftest import StaffClient, TokenFactory
from test_django_admin.helpers import CHANGELIST, change_form, token_url, user_named

from keysmith.models import Token
from keysmith.services.tokens import purge_token, revoke_token, rotate_token

pytestmark = pytest.mark.django_db

TEST_SETTINGS = {"HASH_ITERATIONS": 10_000}


def test_change_view_shows_identity_state_and_scopes_never_hashes(
    admin_client: Client, make_token: TokenFactory
) -> None:
    owner = User.objects.create(username="owner-of-token")
    token, _ = make_token(user=owner, scopes=["view_group"])
    with override_settings(KEYSMITH={**TEST_SETTINGS, "ROTATION_GRACE_SECONDS": 300}):
        rotate_token(token)
    token.refresh_from_db()
    assert token.previous_key  # both hashes exist, and neither may be displayed
    html = admin_client.get(token_url(token)).content.decode()
    for shown in (token.prefix, "active", "owner-of-token", "Can view group", "Last used"):
        assert shown in html
    assert token.key not in html
    assert token.previous_key not in html
    assert token.key.split("$")[-1] not in html


def test_change_view_form_edits_only_name_description_expiry_scopes(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    form = admin_client.get(token_url(token)).context["adminform"].form
    assert set(form.fields) == {"name", "description", "expires_at", "scopes"}


def test_change_view_revoked_token_cannot_be_unrevoked(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    purge_token(token)
    data = change_form(token, name="renamed", revoked="", purged="", key="x", prefix="tok_forged")
    response = admin_client.post(token_url(token), data)
    assert response.status_code == 302
    token.refresh_from_db()
    assert (token.name, token.revoked, token.purged) == ("renamed", True, True)
    assert token.prefix != "tok_forged"
    assert admin_client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 401


def test_change_view_save_keeps_a_revocation_made_while_it_ran(
    admin_client: Client, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = make_token()
    token_admin = admin.site._registry[Token]
    load = token_admin.get_object

    def load_then_race(*args: Any, **kwargs: Any) -> Any:
        # The admin has read the row; another request revokes and rotates it before the save.
        loaded = load(*args, **kwargs)
        racing = Token.objects.get(pk=token.pk)
        rotate_token(racing)
        revoke_token(racing)
        return loaded

    monkeypatch.setattr(token_admin, "get_object", load_then_race)
    response = admin_client.post(token_url(token), change_form(token, name="renamed"))
    assert response.status_code == 302
    stored = Token.objects.get(pk=token.pk)
    assert (stored.name, stored.revoked) == ("renamed", True)
    assert stored.key != token.key  # the rotated hash survived too


def test_change_view_edits_expiry_and_scopes(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    scope = Permission.objects.get(codename="change_group")
    data = change_form(token, scopes=[str(scope.pk)], expires_at_0="2030-05-06")
    assert admin_client.post(token_url(token), data).status_code == 302
    token.refresh_from_db()
    assert list(token.scopes.all()) == [scope]
    assert token.expires_at.date().isoformat() == "2030-05-06"


def test_change_view_held_scope_outside_available_scopes_is_reported(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token(scopes=["delete_group"])
    with override_settings(KEYSMITH={**TEST_SETTINGS, "AVAILABLE_SCOPES": ["view_group"]}):
        response = admin_client.post(token_url(token), change_form(token, name="renamed"))
    assert response.status_code == 200
    assert "Scopes not allowed: delete_group" in response.content.decode()
    token.refresh_from_db()
    assert token.name == "test token"


def test_change_view_view_permission_only_is_read_only(
    staff_client: StaffClient, make_token: TokenFactory
) -> None:
    client = staff_client("view_token")
    token, _ = make_token(user=user_named())
    response = client.get(token_url(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert token.prefix in html
    assert 'href="' + token_url(token, "rotate") not in html
    assert client.post(token_url(token), change_form(token, name="x")).status_code == 403


def test_change_view_offers_operations_that_apply(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    html = admin_client.get(token_url(token)).content.decode()
    for view in ("rotate", "revoke", "purge"):
        assert token_url(token, view) in html
    assert f"/admin/keysmith/tokenauditlog/?token={token.prefix}" in html
    revoke_token(token)
    html = admin_client.get(token_url(token)).content.decode()
    assert token_url(token, "rotate") not in html
    assert token_url(token, "revoke") not in html
    assert token_url(token, "purge") in html


def test_changelist_shows_columns_and_states(
    admin_client: Client, make_token: TokenFactory
) -> None:
    active, _ = make_token(name="alpha")
    revoked, _ = make_token(name="bravo")
    revoke_token(revoked)
    expired, _ = make_token(name="charlie", expires_at=timezone.now() - timedelta(days=1))
    response = admin_client.get(CHANGELIST)
    html = response.content.decode()
    rows = {
        row.prefix: row for row in response.context["cl"].result_list
    }  # the page lists every token
    assert set(rows) == {active.prefix, revoked.prefix, expired.prefix}
    for header in ("Prefix", "Name", "User", "Token type", "State", "Expires at", "Last used at"):
        assert header in html
    for state in ("active", "revoked", "expired"):
        assert f'<td class="field-state">{state}</td>' in html
    assert active.key not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("expiry=expired", {"charlie"}),
        ("expiry=valid", {"alpha", "bravo"}),
        ("expiry=soon", {"bravo"}),
        ("revoked__exact=1", {"alpha"}),
        ("token_type__exact=system", {"bravo"}),
        ("q=alp", {"alpha"}),
    ],
)
def test_changelist_filters_and_search_select_tokens(
    admin_client: Client, make_token: TokenFactory, query: str, expected: set[str]
) -> None:
    alpha, _ = make_token(name="alpha")
    revoke_token(alpha)
    make_token(name="bravo", token_type="system", expires_at=timezone.now() + timedelta(days=2))
    make_token(name="charlie", expires_at=timezone.now() - timedelta(days=1))
    response = admin_client.get(f"{CHANGELIST}?{query}")
    assert {token.name for token in response.context["cl"].result_list} == expected


def test_changelist_search_by_prefix_finds_token(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token(name="alpha")
    make_token(name="bravo")
    response = admin_client.get(f"{CHANGELIST}?q={token.prefix}")
    assert [row.pk for row in response.context["cl"].result_list] == [token.pk]
