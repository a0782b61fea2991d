"""Ownership on other admin sites: a swapped token model, and a subclass that widens the list."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.db.models import QuerySet
from django.http import HttpRequest
from django.test import override_settings
from django.urls import path
from test_django.testapp.models import CustomToken
from test_django_admin.conftest import StaffClient, TokenFactory
from test_django_admin.helpers import snapshot, user_named

from keysmith.admin import TokenAdmin, register
from keysmith.models import Token

pytestmark = pytest.mark.django_db

SWAPPED = {
    "TOKEN_MODEL": "testapp.CustomToken",
    "AUDIT_LOG_MODEL": "testapp.CustomAuditLog",
    "HASH_ITERATIONS": 10_000,
}


def urls_for(site: admin.AdminSite) -> ModuleType:
    urlconf = ModuleType(f"{site.name}_urls")
    urlconf.urlpatterns = [path(f"{site.name}/", site.urls)]  # type: ignore[attr-defined]
    return urlconf


def grant(user: User, app_label: str, codename: str) -> None:
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )


def test_swapped_model_admin_asks_for_its_own_manage_others_permission(
    staff_client: StaffClient, make_token: TokenFactory, admin_user: User
) -> None:
    client = staff_client("view_customtoken")
    staff = user_named()
    changelist = "/swapped/testapp/customtoken/"
    with override_settings(KEYSMITH=SWAPPED):
        site = admin.AdminSite(name="swapped")
        register(site)
        mine, _ = make_token(name="mine", user=staff)
        theirs, _ = make_token(name="theirs", user=admin_user)
        assert isinstance(mine, CustomToken)
        with override_settings(ROOT_URLCONF=urls_for(site)):

            def listed() -> set[Any]:
                response = client.get(changelist)
                return {token.pk for token in response.context["cl"].result_list}

            assert listed() == {mine.pk}
            grant(staff, "keysmith", "manage_others_tokens")  # the default model's: no reach
            assert listed() == {mine.pk}
            grant(staff, "testapp", "manage_others_tokens")
            assert listed() == {mine.pk, theirs.pk}


class WidenedTokenAdmin(TokenAdmin):
    """A project's subclass that lists every token: the object permissions still hold."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model._default_manager.all()


def test_subclass_widening_the_queryset_still_refuses_others_tokens(
    staff_client: StaffClient, make_token: TokenFactory, admin_user: User
) -> None:
    site = admin.AdminSite(name="widened")
    site.register(Token, WidenedTokenAdmin)
    client = staff_client("view_token", "change_token")
    theirs, _ = make_token(name="theirs", user=admin_user)
    before = snapshot(theirs)
    base = f"/widened/keysmith/token/{theirs.pk}"
    with override_settings(ROOT_URLCONF=urls_for(site)):
        assert client.get(f"{base}/change/").status_code == 403
        assert client.post(f"{base}/rotate/", {"post": "yes"}).status_code == 403
        data = {"action": "revoke_selected", "_selected_action": [str(theirs.pk)], "post": "yes"}
        client.post("/widened/keysmith/token/", data)
    assert snapshot(theirs) == before
