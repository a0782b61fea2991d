"""The admin in a real browser: headless Chromium, driven by Playwright, against a live server."""

from __future__ import annotations

import importlib
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from support.pgserver import unavailable

from keysmith.models import Token, TokenAuditLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 30_000
OPTIONS = "options => options.map(option => [option.value, option.textContent.trim()])"


@pytest.fixture
def sync_playwright() -> Any:
    """Playwright's sync entry point; skips (fails in CI) without Chromium or the package."""
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    try:
        return importlib.import_module("playwright.sync_api").sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")


@contextmanager
def logged_in_page(
    sync_playwright: Any, profile: Path, url: str, username: str, password: str
) -> Iterator[Any]:
    """A Chromium page logged into the admin as ``username``, then sent to ``url``'s path.

    Playwright's sync API keeps an event loop running in this thread, where Django refuses ORM
    calls: read and write the database only before and after the block.
    """
    base, _, path = url.partition("/admin/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{base}/admin/login/?next=/admin/{path}")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("input[type=submit]")
            yield page
        finally:
            browser.close()


def get(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"X-Keysmith-Token": token})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_admin_browser_create_token_shown_once_then_it_authenticates(
    live_server: Any, admin_user: User, sync_playwright: Any, tmp_path: Path
) -> None:
    base = live_server.url
    owner_pk = str(admin_user.pk)
    screenshot = tmp_path / "one-time-page.png"
    add_url = f"{base}/admin/keysmith/token/add/"
    with logged_in_page(
        sync_playwright, tmp_path / "profile", add_url, "admin", "password"
    ) as page:
        page.wait_for_selector("#id_name")

        page.fill("#id_name", "browser token")
        page.fill("#id_description", "made by headless Chromium")
        page.select_option("#id_token_type", "user")
        page.fill("#id_user", owner_pk)
        page.click("input[name=_save]")

        field = page.wait_for_selector(".keysmith-raw-token")
        assert field is not None
        raw = field.input_value()
        assert "won't be shown again" in page.inner_text("#content-main")
        page.screenshot(path=str(screenshot), full_page=True)

        page.reload()
        page.wait_for_selector("#token_form")
        after_reload = page.content()
        change_url = page.url

    prefix, secret = raw.split(":", 1)
    assert secret not in after_reload
    assert prefix in after_reload
    token = Token.objects.get()  # the reload did not post the form again
    assert change_url == f"{base}/admin/keysmith/token/{token.pk}/change/"
    assert (token.prefix, token.name, token.user_id) == (prefix, "browser token", admin_user.pk)
    assert screenshot.stat().st_size > 10_000

    status, body = get(f"{base}/required/", raw)
    assert status == 200
    assert json.loads(body)["prefix"] == prefix
    status, _ = get(f"{base}/required/", f"{prefix}:{'A' * 32}garbage")
    assert status == 401
    actions = set(TokenAuditLog.objects.filter(token=token).values_list("action", flat=True))
    assert actions == {"created", "auth_success"}


def test_admin_browser_one_permission_staff_add_form_offers_only_themselves_and_own_scopes(
    live_server: Any, admin_user: User, sync_playwright: Any, tmp_path: Path
) -> None:
    base = live_server.url
    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    add_token = Permission.objects.get(content_type__app_label="keysmith", codename="add_token")
    staff.user_permissions.set([add_token])
    screenshot = tmp_path / "add-form.png"
    add_url = f"{base}/admin/keysmith/token/add/"
    with logged_in_page(sync_playwright, tmp_path / "profile", add_url, "staff", "pw") as page:
        page.wait_for_selector("#id_scopes_from")  # drawn by the admin's selector script
        owners = page.eval_on_selector_all("#id_user option", OPTIONS)
        scopes = page.eval_on_selector_all("#id_scopes_from option", OPTIONS)
        page.screenshot(path=str(screenshot), full_page=True)

        # A forged owner, added to the page by hand, is refused by the server.
        page.eval_on_selector(
            "#id_user",
            "(select, pk) => { select.add(new Option('forged', pk)); select.value = pk; }",
            str(admin_user.pk),
        )
        page.fill("#id_name", "forged owner")
        page.click("input[name=_save]")
        refusal = page.inner_text(".errorlist")
        owners_after_refusal = page.eval_on_selector_all("#id_user option", OPTIONS)

        page.fill("#id_name", "my token")
        page.select_option("#id_scopes_from", str(add_token.pk))
        page.click("#id_scopes_add")
        page.click("input[name=_save]")
        raw = page.wait_for_selector(".keysmith-raw-token").input_value()

    assert owners == [[str(staff.pk), "staff"]]
    assert scopes == [[str(add_token.pk), str(add_token)]]
    assert screenshot.stat().st_size > 10_000
    assert refusal == "You can create tokens only for yourself."
    assert owners_after_refusal == owners
    token = Token.objects.get()
    assert (token.name, token.user, token.created_by) == ("my token", staff, staff)
    assert list(token.scopes.all()) == [add_token]
    status, body = get(f"{base}/required/", raw)
    assert (status, json.loads(body)["prefix"]) == (200, token.prefix)
