"""Which models the admin registers: the configured ones, swapped or not."""

from __future__ import annotations

import re
from types import ModuleType

import pytest
from django.contrib import admin
from django.test import Client, override_settings
from django.urls import path
from support.docs_samples import run_sample
from test_django.testapp.models import CustomAuditLog, CustomToken

from keysmith.admin import TokenAdmin, TokenAuditLogAdmin, register
from keysmith.models import Token, TokenAuditLog

SWAPPED = {
    "TOKEN_MODEL": "testapp.CustomToken",
    "AUDIT_LOG_MODEL": "testapp.CustomAuditLog",
    "HASH_ITERATIONS": 10_000,
}
RAW_TOKEN = re.compile(r'class="vTextField keysmith-raw-token"\s+type="text" value="([^"]+)"')


def test_default_site_registers_token_and_audit_log() -> None:
    assert isinstance(admin.site._registry[Token], TokenAdmin)
    assert isinstance(admin.site._registry[TokenAuditLog], TokenAuditLogAdmin)


@override_settings(KEYSMITH=SWAPPED)
def test_register_swapped_models_registers_the_custom_models() -> None:
    site = admin.AdminSite(name="swapped")
    register(site)
    assert isinstance(site._registry[CustomToken], TokenAdmin)
    assert isinstance(site._registry[CustomAuditLog], TokenAuditLogAdmin)
    assert Token not in site._registry


def test_register_model_registered_by_the_project_is_left_alone() -> None:
    site = admin.AdminSite(name="own")
    own = type("OwnTokenAdmin", (admin.ModelAdmin,), {})
    site.register(Token, own)
    register(site)
    assert type(site._registry[Token]) is own
    assert isinstance(site._registry[TokenAuditLog], TokenAuditLogAdmin)


@pytest.mark.django_db
def test_swapped_admin_creates_custom_token_and_audits_to_custom_log(
    admin_client: Client,
) -> None:
    with override_settings(KEYSMITH=SWAPPED):
        site = admin.AdminSite(name="swapped")
        register(site)
        urlconf = ModuleType("swapped_urls")
        urlconf.urlpatterns = [path("swapped/", site.urls)]  # type: ignore[attr-defined]
        with override_settings(ROOT_URLCONF=urlconf):
            data = {"name": "custom", "token_type": "user", "description": ""}
            response = admin_client.post("/swapped/testapp/customtoken/add/", data)
            assert response.status_code == 200
            (raw,) = RAW_TOKEN.findall(response.content.decode())
            token = CustomToken.objects.get()
            assert raw.startswith(token.prefix + ":")
            change = admin_client.get(f"/swapped/testapp/customtoken/{token.pk}/change/")
            assert f"/swapped/testapp/customauditlog/?token={token.prefix}" in (
                change.content.decode()
            )
    assert list(CustomAuditLog.objects.values_list("action", flat=True)) == ["created"]
    assert not Token.objects.exists()


@pytest.mark.django_db
def test_docs_custom_admin_sample_lists_the_custom_models_team(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    with override_settings(KEYSMITH=SWAPPED):
        site = admin.AdminSite(name="team")
        register(site)
        monkeypatch.setattr(admin, "site", site)  # the sample's admin.site
        run_sample("admin.md", "custom-admin")
        model_admin = site._registry[CustomToken]
        assert type(model_admin).__name__ == "TeamTokenAdmin"
        assert isinstance(model_admin, TokenAdmin)
        assert model_admin.check() == []
        CustomToken.objects.create(name="t", key="k", prefix="tok_ab12CD34", team="billing")
        urlconf = ModuleType("team_urls")
        urlconf.urlpatterns = [path("team/", site.urls)]  # type: ignore[attr-defined]
        with override_settings(ROOT_URLCONF=urlconf):
            listed = admin_client.get("/team/testapp/customtoken/")
    assert listed.status_code == 200
    assert '<td class="field-team">billing</td>' in listed.content.decode()
