"""Whose tokens a staff user reaches: their own, unless they hold ``manage_others_tokens``.

Every request goes through the real admin (test client, real forms, real actions), including
URLs typed by hand and actions posted with forged ids.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from support.docs_samples import run_sample
from test_django_admin.conftest import StaffClient, TokenFactory
from test_django_admin.helpers import (
    ADD,
    CHANGELIST,
    RAW_TOKENS,
    action,
    add_form,
    change_form,
    raw_token_in,
    snapshot,
    token_url,
    user_named,
)

from keysmith.models import Token

pytestmark = pytest.mark.django_db

EVERY_TOKEN_PERMISSION = ("view_token", "add_token", "change_token", "delete_token")
MISSING = "doesn\u2019t exist. Perhaps it was deleted?"  # Django's own words


@pytest.fixture
def victim(admin_user: User, make_token: TokenFactory) -> tuple[Token, str]:
    """A superuser's token: what a one-permission staff user must never reach."""
    return make_token(name="root token", user=admin_user)


def others_token(kind: str, make_token: TokenFactory) -> tuple[Token, str]:
    """Another person's token (``other``) or one that nobody owns (``system``)."""
    if kind == "other":
        return make_token(name="bob's", user=User.objects.create_user("bob"))
    return make_token(name="system", token_type="system")


def own_token(make_token: TokenFactory, username: str = "staff") -> tuple[Token, str]:
    return make_token(name="mine", user=user_named(username))


def test_add_view_without_manage_permission_token_for_someone_else_is_refused(
    staff_client: StaffClient, admin_user: User
) -> None:
    client = staff_client("add_token")
    response = client.post(ADD, add_form(user=str(admin_user.pk)))
    assert response.status_code == 200
    assert "You can create tokens only for yourself." in response.content.decode()
    assert not RAW_TOKENS.findall(response.content.decode())
    assert not Token.objects.exists()


def test_add_view_without_manage_permission_ownerless_token_is_refused(
    staff_client: StaffClient,
) -> None:
    client = staff_client("add_token")
    response = client.post(ADD, add_form(user="", token_type="system"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]
    assert not Token.objects.exists()


def test_add_view_without_manage_permission_offers_only_themselves(
    staff_client: StaffClient, admin_user: User
) -> None:
    client = staff_client("add_token")
    form = client.get(ADD).context["adminform"].form
    assert list(form.fields["user"].queryset) == [user_named()]
    options = re.findall(r"<option[^>]*>[^<]*</option>", str(form["user"]))
    assert options == [f'<option value="{user_named().pk}" selected>staff</option>']


def test_add_view_own_token_created_by_is_the_actor_not_form_input(
    staff_client: StaffClient, admin_user: User
) -> None:
    client = staff_client("add_token")
    staff = user_named()
    data = add_form(user=str(staff.pk), created_by=str(admin_user.pk))
    raw = raw_token_in(client.post(ADD, data).content.decode())
    token = Token.objects.get()
    assert (token.user, token.created_by) == (staff, staff)
    assert raw.startswith(token.prefix + ":")


def test_add_view_with_manage_permission_creates_for_another_user(
    staff_client: StaffClient,
) -> None:
    client = staff_client("add_token", "manage_others_tokens")
    bob = User.objects.create_user("bob")
    raw_token_in(client.post(ADD, add_form(user=str(bob.pk))).content.decode())
    token = Token.objects.get()
    assert (token.user, token.created_by) == (bob, user_named())


@pytest.mark.parametrize("kind", ["other", "system"])
def test_changelist_without_manage_permission_lists_only_own_tokens(
    staff_client: StaffClient, make_token: TokenFactory, victim: Any, kind: str
) -> None:
    client = staff_client("view_token")
    mine, _ = own_token(make_token)
    others_token(kind, make_token)
    response = client.get(CHANGELIST)
    assert [token.pk for token in response.context["cl"].result_list] == [mine.pk]
    assert victim[0].prefix not in response.content.decode()
    searched = client.get(f"{CHANGELIST}?q={victim[0].prefix}")
    assert not list(searched.context["cl"].result_list)


def test_changelist_with_manage_permission_lists_every_token(
    staff_client: StaffClient, make_token: TokenFactory, victim: Any
) -> None:
    client = staff_client("view_token", "manage_others_tokens")
    mine, _ = own_token(make_token)
    system, _ = others_token("system", make_token)
    listed = {token.pk for token in client.get(CHANGELIST).context["cl"].result_list}
    assert listed == {mine.pk, system.pk, victim[0].pk}


@pytest.mark.parametrize("kind", ["other", "system"])
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_object_view_typed_url_of_others_token_is_as_if_missing(
    staff_client: StaffClient, make_token: TokenFactory, kind: str, view: str
) -> None:
    client = staff_client(*EVERY_TOKEN_PERMISSION)
    token, _ = others_token(kind, make_token)
    response = client.get(token_url(token, view), follow=True)
    assert response.redirect_chain == [("/admin/", 302)]
    html = response.content.decode()
    assert MISSING in html
    assert token.prefix not in html
    assert token.name not in html


def test_change_view_post_to_others_token_changes_nothing(
    staff_client: StaffClient, victim: Any
) -> None:
    token, _ = victim
    client = staff_client("view_token", "change_token")
    response = client.post(token_url(token), change_form(token, name="pwned"))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.name == "root token"


def test_delete_view_post_to_others_token_keeps_it(staff_client: StaffClient, victim: Any) -> None:
    client = staff_client("view_token", "delete_token")
    client.post(token_url(victim[0], "delete"), {"post": "yes"})
    assert Token.objects.filter(pk=victim[0].pk).exists()


@pytest.mark.parametrize("kind", ["other", "system"])
@pytest.mark.parametrize("operation", ["rotate", "revoke", "purge"])
def test_operation_view_typed_url_of_others_token_is_not_found(
    staff_client: StaffClient, make_token: TokenFactory, kind: str, operation: str
) -> None:
    client = staff_client(*EVERY_TOKEN_PERMISSION)
    token, raw = others_token(kind, make_token)
    before = snapshot(token)
    assert client.get(token_url(token, operation)).status_code == 404
    response = client.post(token_url(token, operation), {"post": "yes"})
    assert response.status_code == 404
    assert not RAW_TOKENS.findall(response.content.decode())
    assert snapshot(token) == before
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200


@pytest.mark.parametrize("kind", ["other", "system"])
@pytest.mark.parametrize("operation", ["rotate", "revoke", "purge"])
def test_action_forged_id_of_others_token_is_left_out(
    staff_client: StaffClient, make_token: TokenFactory, kind: str, operation: str
) -> None:
    client = staff_client(*EVERY_TOKEN_PERMISSION)
    mine, _ = own_token(make_token)
    theirs, _ = others_token(kind, make_token)
    before, mine_before = snapshot(theirs), snapshot(mine)
    confirm = client.post(CHANGELIST, action(f"{operation}_selected", mine, theirs))
    html = confirm.content.decode()
    assert f"{operation.capitalize()} 1 token?" in html
    assert theirs.prefix not in html
    done = client.post(CHANGELIST, action(f"{operation}_selected", mine, theirs, confirm=True))
    assert snapshot(theirs) == before
    assert snapshot(mine) != mine_before  # the own token was changed
    raws = RAW_TOKENS.findall(done.content.decode())
    assert all(raw.startswith(mine.prefix + ":") for raw in raws)


@pytest.mark.parametrize("name", ["rotate_selected", "revoke_selected", "delete_selected"])
def test_action_only_others_tokens_selected_changes_nothing(
    staff_client: StaffClient, victim: Any, name: str
) -> None:
    client = staff_client(*EVERY_TOKEN_PERMISSION)
    before = snapshot(victim[0])
    confirm = client.post(CHANGELIST, action(name, victim[0]), follow=True).content.decode()
    assert victim[0].prefix not in confirm
    assert victim[0].name not in confirm
    response = client.post(CHANGELIST, action(name, victim[0], confirm=True), follow=True)
    assert not RAW_TOKENS.findall(response.content.decode())
    assert snapshot(victim[0]) == before


def test_action_with_manage_permission_rotates_others_token(
    staff_client: StaffClient, victim: Any
) -> None:
    token, old_raw = victim
    client = staff_client("view_token", "change_token", "manage_others_tokens")
    response = client.post(CHANGELIST, action("rotate_selected", token, confirm=True))
    (raw,) = RAW_TOKENS.findall(response.content.decode())
    assert raw.startswith(token.prefix + ":")
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=old_raw).status_code == 401
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200


def test_change_view_own_token_is_editable_without_manage_permission(
    staff_client: StaffClient, make_token: TokenFactory
) -> None:
    client = staff_client("view_token", "change_token")
    mine, _ = own_token(make_token)
    assert client.post(token_url(mine), change_form(mine, name="renamed")).status_code == 302
    mine.refresh_from_db()
    assert mine.name == "renamed"
    assert token_url(mine, "rotate") in client.get(token_url(mine)).content.decode()


def test_docs_sample_grant_manage_others_tokens_lets_staff_see_every_token(
    staff_client: StaffClient, make_token: TokenFactory, victim: Any
) -> None:
    namespace = run_sample("admin.md", "grant-manage-others")
    client = staff_client("view_token")
    assert not list(client.get(CHANGELIST).context["cl"].result_list)
    namespace["allow_managing_others_tokens"](user_named())
    listed = [token.pk for token in client.get(CHANGELIST).context["cl"].result_list]
    assert listed == [victim[0].pk]
