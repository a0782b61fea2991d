"""Which scopes the admin lets a person grant: only permissions they hold, and its owner holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client, override_settings
from test_django_admin.conftest import StaffClient, TokenFactory
from test_django_admin.helpers import (
    ADD,
    add_form,
    change_form,
    raw_token_in,
    token_url,
    user_named,
)

from keysmith.models import Token

pytestmark = pytest.mark.django_db

TEST_SETTINGS = {"HASH_ITERATIONS": 10_000}
ACTOR_LACKS = "You can grant only permissions you hold yourself. Not held:"


def scope(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def pks(*codenames: str) -> list[str]:
    return [str(scope(codename).pk) for codename in codenames]


def offered(response: Any) -> set[str]:
    """The codenames the page's scope widget offers."""
    widget = response.context["adminform"].form.fields["scopes"].widget
    chosen = {int(str(value)) for value, _ in widget.choices}
    return set(Permission.objects.filter(pk__in=chosen).values_list("codename", flat=True))


def bob(*codenames: str) -> User:
    user = User.objects.create_user("bob")
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    return user


def test_add_view_scope_the_actor_lacks_is_refused_with_form_error(
    staff_client: StaffClient,
) -> None:
    client = staff_client("add_token", "view_group")
    data = add_form(user=str(user_named().pk), scopes=pks("view_group", "delete_user"))
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert f"{ACTOR_LACKS} auth.delete_user." in response.content.decode()
    assert not Token.objects.exists()


def test_add_view_offers_only_scopes_the_actor_holds(staff_client: StaffClient) -> None:
    client = staff_client("add_token", "view_group")
    assert offered(client.get(ADD)) == {"add_token", "view_group"}


def test_add_view_scope_the_actor_holds_is_granted(staff_client: StaffClient) -> None:
    client = staff_client("add_token", "view_group")
    data = add_form(user=str(user_named().pk), scopes=pks("view_group"))
    raw_token_in(client.post(ADD, data).content.decode())
    assert list(Token.objects.get().scopes.all()) == [scope("view_group")]


def test_change_view_adding_scope_the_actor_lacks_is_refused(
    staff_client: StaffClient, make_token: TokenFactory
) -> None:
    client = staff_client("view_token", "change_token")
    token, _ = make_token(user=user_named(), scopes=["change_token"])
    response = client.post(token_url(token), change_form(token, scopes=pks("delete_user")))
    assert response.status_code == 200
    assert f"{ACTOR_LACKS} auth.delete_user." in response.content.decode()
    assert list(token.scopes.values_list("codename", flat=True)) == ["change_token"]


def test_change_view_scope_the_token_holds_stays_offered_and_can_be_kept_or_dropped(
    staff_client: StaffClient, make_token: TokenFactory
) -> None:
    # Granted by someone who held it; keeping it grants nothing new, dropping it is allowed.
    client = staff_client("view_token", "change_token")
    token, _ = make_token(user=user_named(), scopes=["delete_user"])
    assert offered(client.get(token_url(token))) == {"view_token", "change_token", "delete_user"}
    assert client.post(token_url(token), change_form(token, name="renamed")).status_code == 302
    assert list(token.scopes.values_list("codename", flat=True)) == ["delete_user"]
    assert client.post(token_url(token), change_form(token, scopes=[])).status_code == 302
    assert not token.scopes.exists()


def test_add_view_manager_cannot_grant_an_owner_a_scope_the_owner_lacks(
    staff_client: StaffClient,
) -> None:
    client = staff_client("add_token", "manage_others_tokens", "view_group", "change_group")
    owner = bob("view_group")
    data = add_form(user=str(owner.pk), scopes=pks("view_group", "change_group"))
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "bob does not hold: auth.change_group." in response.content.decode()
    assert not Token.objects.exists()
    raw_token_in(client.post(ADD, {**data, "scopes": pks("view_group")}).content.decode())
    assert list(Token.objects.get(user=owner).scopes.all()) == [scope("view_group")]


def test_add_view_superuser_grants_an_owner_only_scopes_the_owner_holds(
    admin_client: Client,
) -> None:
    owner = bob()
    response = admin_client.post(ADD, add_form(user=str(owner.pk), scopes=pks("delete_user")))
    assert "bob does not hold: auth.delete_user." in response.content.decode()
    assert not Token.objects.exists()


def test_add_view_manager_grants_an_ownerless_token_scopes_they_hold(
    staff_client: StaffClient,
) -> None:
    client = staff_client("add_token", "manage_others_tokens", "view_group")
    data = add_form(token_type="system", scopes=pks("view_group"))
    raw_token_in(client.post(ADD, data).content.decode())
    token = Token.objects.get()
    assert (token.user, list(token.scopes.all())) == (None, [scope("view_group")])
    refused = client.post(ADD, add_form(token_type="system", scopes=pks("delete_user")))
    assert f"{ACTOR_LACKS} auth.delete_user." in refused.content.decode()


def test_change_view_manager_is_offered_scopes_both_they_and_the_owner_hold(
    staff_client: StaffClient, make_token: TokenFactory
) -> None:
    client = staff_client("view_token", "change_token", "manage_others_tokens", "view_group")
    token, _ = make_token(user=bob("view_group", "delete_group"))
    assert offered(client.get(token_url(token))) == {"view_group"}
    response = client.post(token_url(token), change_form(token, scopes=pks("delete_group")))
    assert f"{ACTOR_LACKS} auth.delete_group." in response.content.decode()
    assert not token.scopes.exists()


@override_settings(KEYSMITH={**TEST_SETTINGS, "DEFAULT_SCOPES": ["view_group", "delete_user"]})
def test_add_view_default_scopes_the_actor_lacks_are_not_preselected(
    staff_client: StaffClient,
) -> None:
    client = staff_client("add_token", "view_group")
    initial = client.get(ADD).context["adminform"].form.initial["scopes"]
    assert initial == [scope("view_group").pk]
