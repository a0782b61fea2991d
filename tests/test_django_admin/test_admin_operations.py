"""Revoke, purge and rotate in the admin: confirmation first, the change only on its POST."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from test_django_admin.conftest import StaffClient, TokenFactory
from test_django_admin.helpers import (
    CHANGELIST,
    RAW_TOKENS,
    action,
    audit_rows,
    snapshot,
    token_url,
    user_named,
)

from keysmith.services.tokens import revoke_token

pytestmark = pytest.mark.django_db


def authenticates(client: Client, raw: str) -> bool:
    return client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200


def test_rotate_view_get_shows_confirmation_and_changes_nothing(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    before = snapshot(token)
    response = admin_client.get(token_url(token, "rotate"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rotate 1 token?" in html
    assert 'name="post" value="yes"' in html
    assert token.prefix in html
    assert snapshot(token) == before
    assert not audit_rows(token, "rotated")
    assert authenticates(admin_client, raw)


def test_rotate_view_post_without_confirmation_changes_nothing(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    before = snapshot(token)
    response = admin_client.post(token_url(token, "rotate"), {})
    assert "Rotate 1 token?" in response.content.decode()
    assert snapshot(token) == before


def test_rotate_view_confirmed_post_rotates_and_shows_new_token_once(
    admin_client: Client, admin_user: User, make_token: TokenFactory
) -> None:
    token, old_raw = make_token()
    response = admin_client.post(token_url(token, "rotate"), {"post": "yes"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (new_raw,) = RAW_TOKENS.findall(response.content.decode())
    assert new_raw.startswith(token.prefix + ":")
    assert not authenticates(admin_client, old_raw)
    assert authenticates(admin_client, new_raw)
    (row,) = audit_rows(token, "rotated")
    assert row.extra["actor_id"] == admin_user.pk
    assert (row.path, row.method) == (token_url(token, "rotate"), "POST")
    later = admin_client.get(token_url(token)).content.decode()
    assert new_raw.split(":", 1)[1] not in later


def test_rotate_action_first_post_confirms_second_rotates_all_selected(
    admin_client: Client, make_token: TokenFactory
) -> None:
    first, first_raw = make_token(name="first")
    second, second_raw = make_token(name="second")
    before = (snapshot(first), snapshot(second))
    response = admin_client.post(CHANGELIST, action("rotate_selected", first, second))
    assert response.status_code == 200
    assert "Rotate 2 tokens?" in response.content.decode()
    assert (snapshot(first), snapshot(second)) == before

    response = admin_client.post(CHANGELIST, action("rotate_selected", first, second, confirm=True))
    raws = RAW_TOKENS.findall(response.content.decode())
    assert sorted(raw.split(":")[0] for raw in raws) == sorted([first.prefix, second.prefix])
    assert not authenticates(admin_client, first_raw)
    assert not authenticates(admin_client, second_raw)
    assert all(authenticates(admin_client, raw) for raw in raws)
    assert len(audit_rows(first, "rotated")) == len(audit_rows(second, "rotated")) == 1


def test_rotate_action_revoked_token_is_left_alone_and_listed(
    admin_client: Client, make_token: TokenFactory
) -> None:
    live, _ = make_token(name="live")
    dead, _ = make_token(name="dead")
    revoke_token(dead)
    before = snapshot(dead)
    confirm = admin_client.post(CHANGELIST, action("rotate_selected", live, dead))
    assert "left alone: already revoked" in confirm.content.decode()
    response = admin_client.post(CHANGELIST, action("rotate_selected", live, dead, confirm=True))
    html = response.content.decode()
    (raw,) = RAW_TOKENS.findall(html)
    assert raw.startswith(live.prefix + ":")
    assert f"<code>{dead.prefix}</code>" in html
    assert snapshot(dead) == before
    assert not audit_rows(dead, "rotated")


def test_revoke_action_confirms_then_revokes_with_actor(
    admin_client: Client, admin_user: User, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    response = admin_client.post(CHANGELIST, action("revoke_selected", token))
    assert "Revoke 1 token?" in response.content.decode()
    assert not snapshot(token)[1]

    response = admin_client.post(CHANGELIST, action("revoke_selected", token, confirm=True))
    assert response.status_code == 302
    assert snapshot(token)[1:] == (True, False)
    assert not authenticates(admin_client, raw)
    (row,) = audit_rows(token, "revoked")
    assert row.extra == {"actor_id": admin_user.pk, "purge": False}
    assert row.path == CHANGELIST


def test_revoke_view_already_revoked_token_is_not_audited_again(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    revoke_token(token)
    confirm = admin_client.get(token_url(token, "revoke")).content.decode()
    assert "Nothing to revoke" in confirm
    response = admin_client.post(token_url(token, "revoke"), {"post": "yes"}, follow=True)
    assert "Already revoked, left alone" in response.content.decode()
    assert len(audit_rows(token, "revoked")) == 1


def test_purge_view_confirms_then_purges_with_actor(
    admin_client: Client, admin_user: User, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    response = admin_client.get(token_url(token, "purge"))
    assert "Purge 1 token?" in response.content.decode()
    assert snapshot(token)[1:] == (False, False)
    response = admin_client.post(token_url(token, "purge"), {"post": "yes"})
    assert response.status_code == 302
    assert response["Location"] == token_url(token)
    assert snapshot(token)[1:] == (True, True)
    (row,) = audit_rows(token, "revoked")
    assert row.extra == {"actor_id": admin_user.pk, "purge": True}


def test_purge_action_confirmed_purges_selected(
    admin_client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    admin_client.post(CHANGELIST, action("purge_selected", token, confirm=True))
    assert snapshot(token)[1:] == (True, True)


@pytest.mark.parametrize("operation", ["rotate", "revoke", "purge"])
def test_operation_without_change_permission_is_refused_and_changes_nothing(
    staff_client: StaffClient, make_token: TokenFactory, operation: str
) -> None:
    client = staff_client("view_token")
    token, _ = make_token(user=user_named())
    before = snapshot(token)
    assert client.get(token_url(token, operation)).status_code == 403
    assert client.post(token_url(token, operation), {"post": "yes"}).status_code == 403
    response = client.get(CHANGELIST)
    assert response.status_code == 200  # the changelist opens; the actions are not offered
    assert f'value="{operation}_selected"' not in response.content.decode()
    client.post(CHANGELIST, action(f"{operation}_selected", token, confirm=True))
    assert snapshot(token) == before


def test_action_with_change_permission_runs(
    staff_client: StaffClient, make_token: TokenFactory
) -> None:
    client = staff_client("view_token", "change_token")
    token, _ = make_token(user=user_named())
    client.post(CHANGELIST, action("revoke_selected", token, confirm=True))
    assert snapshot(token)[1]


def test_operation_view_confirmed_post_without_csrf_token_is_refused(
    admin_user: User, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    before = snapshot(token)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(token_url(token, "rotate"), {"post": "yes"}).status_code == 403
    assert snapshot(token) == before


def test_operation_view_unknown_token_is_not_found(admin_client: Client) -> None:
    url = "/admin/keysmith/token/00000000-0000-0000-0000-000000000000/rotate/"
    assert admin_client.get(url).status_code == 404
