"""``RequireKeysmithToken``, ``HasKeysmithScopes`` and ``ScopedPermission`` on DRF views."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate
from test_drf import views
from test_drf.conftest import TokenFactory, scoped

from keysmith.drf.permissions import HasKeysmithScopes, ScopedPermission

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"
DENIED = {"detail": "You do not have permission to perform this action."}


def test_require_token_session_login_without_token_is_403(api: APIClient) -> None:
    # Authenticated, by another class: DRF answers 403, with the missing_token message.
    api.force_login(User.objects.create(username="erin"))
    response = api.get("/required/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_scoped_or_read_only_lets_anonymous_reads_through(
    api: APIClient, make_token: TokenFactory
) -> None:
    _, writer = scoped(make_token, "add_user")
    assert api.get("/scoped-or-read-only/").status_code == 200
    assert api.post("/scoped-or-read-only/").status_code == 401
    assert api.post("/scoped-or-read-only/", HTTP_X_KEYSMITH_TOKEN=writer).status_code == 200


@pytest.mark.parametrize(
    ("path", "granting", "refused"),
    [
        ("/view-scopes/", "change_user", "view_user"),
        ("/permission-scopes/", "view_user", "change_user"),
    ],
    ids=["view-scopes-win", "permission-scopes-without-view-scopes"],
)
def test_has_scopes_required_scopes_source(
    api: APIClient, make_token: TokenFactory, path: str, granting: str, refused: str
) -> None:
    _, good = scoped(make_token, granting)
    _, bad = scoped(make_token, refused)
    assert api.get(path, HTTP_X_KEYSMITH_TOKEN=good).status_code == 200
    response = api.get(path, HTTP_X_KEYSMITH_TOKEN=bad)
    assert (response.status_code, response.json()) == (403, DENIED)


def test_has_scopes_without_token_is_401_not_403(api: APIClient) -> None:
    assert api.get("/permission-scopes/").status_code == 401


def test_has_scopes_without_any_scopes_configured_raises(
    api: APIClient, make_token: TokenFactory
) -> None:
    _, raw = scoped(make_token, "view_user")
    with pytest.raises(ImproperlyConfigured, match="no scopes to require"):
        api.get("/unscoped/", HTTP_X_KEYSMITH_TOKEN=raw)


def test_has_scopes_single_string_scopes_raises(api: APIClient, make_token: TokenFactory) -> None:
    _, raw = scoped(make_token, "view_user")
    with pytest.raises(ImproperlyConfigured, match="list or tuple of scope codenames"):
        api.get("/string-scopes/", HTTP_X_KEYSMITH_TOKEN=raw)


def test_scoped_inline_needs_every_listed_scope(api: APIClient, make_token: TokenFactory) -> None:
    _, both = scoped(make_token, "view_user", "change_user")
    _, one = scoped(make_token, "view_user", "delete_user")
    assert api.get("/inline-scopes/", HTTP_X_KEYSMITH_TOKEN=both).status_code == 200
    assert api.get("/inline-scopes/", HTTP_X_KEYSMITH_TOKEN=one).json() == DENIED


def test_scoped_bare_in_permission_classes_raises_instead_of_allowing(
    api: APIClient, make_token: TokenFactory
) -> None:
    _, raw = scoped(make_token, "view_user")
    with pytest.raises(ImproperlyConfigured, match="needs the scopes it requires"):
        api.get("/bare-scoped/", HTTP_X_KEYSMITH_TOKEN=raw)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((["view_user", "change_user"],), "separate arguments"),
        (("view_user", ""), "non-empty strings"),
        (("view_user", 3), "non-empty strings"),
    ],
)
def test_scoped_bad_arguments_raise_at_definition(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        ScopedPermission(*args)


def test_scoped_and_admin_needs_both(api: APIClient, make_token: TokenFactory) -> None:
    admin = User.objects.create(username="root", is_staff=True)
    staff_token, staff_raw = scoped(make_token, "view_user", user=admin)
    _, plain_raw = scoped(make_token, "view_user", user=User.objects.create(username="plain"))
    _, unscoped_admin = make_token(user=admin)
    assert api.get("/scoped-and-admin/", HTTP_X_KEYSMITH_TOKEN=staff_raw).json()["prefix"] == (
        staff_token.prefix
    )
    assert api.get("/scoped-and-admin/", HTTP_X_KEYSMITH_TOKEN=plain_raw).status_code == 403
    assert api.get("/scoped-and-admin/", HTTP_X_KEYSMITH_TOKEN=unscoped_admin).status_code == 403


def test_scoped_or_admin_needs_either(api: APIClient, make_token: TokenFactory) -> None:
    _, scoped_raw = scoped(make_token, "view_user")
    _, admin_raw = make_token(user=User.objects.create(username="boss", is_staff=True))
    _, neither = make_token()
    assert api.get("/admin-or-scoped/", HTTP_X_KEYSMITH_TOKEN=scoped_raw).status_code == 200
    assert api.get("/admin-or-scoped/", HTTP_X_KEYSMITH_TOKEN=admin_raw).status_code == 200
    assert api.get("/admin-or-scoped/", HTTP_X_KEYSMITH_TOKEN=neither).status_code == 403


def test_scoped_negation_denies_holders(make_token: TokenFactory) -> None:
    token, _ = scoped(make_token, "view_user")
    request = Request(APIRequestFactory().get("/"))
    request.auth = token
    assert (~ScopedPermission("view_user"))().has_permission(request, views.OpenView()) is False
    assert (~ScopedPermission("add_user"))().has_permission(request, views.OpenView()) is True


def test_scoped_repr_lists_scopes() -> None:
    assert repr(ScopedPermission("read", "write")) == "ScopedPermission('read', 'write')"


def test_scope_checks_of_one_request_cost_one_query(
    make_token: TokenFactory, django_assert_num_queries: Any
) -> None:
    token, _ = scoped(make_token, "view_user", "change_user")
    request = Request(APIRequestFactory().get("/"))
    request.auth = token
    checks = [
        ScopedPermission("view_user"),
        ScopedPermission("change_user"),
        HasKeysmithScopes(),
        ScopedPermission("view_user", "change_user"),
    ]
    view = views.ViewScopesView()
    with django_assert_num_queries(1):
        assert all(check.has_permission(request, view) for check in checks)


def test_scope_checks_three_cost_the_same_as_one(
    api: APIClient, make_token: TokenFactory, django_assert_num_queries: Any
) -> None:
    _, raw = scoped(make_token, "view_user", "change_user")
    counts = []
    for path in ("/one-scope-check/", "/many-scope-checks/"):
        api.get(path, HTTP_X_KEYSMITH_TOKEN=raw)  # the first use writes last_used_at
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path, HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
        scope_reads = [q for q in queries.captured_queries if "auth_permission" in q["sql"]]
        assert len(scope_reads) == 1
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_scope_check_new_request_reads_scopes_again(make_token: TokenFactory) -> None:
    token, _ = scoped(make_token, "view_user")
    check = ScopedPermission("change_user")
    first = Request(APIRequestFactory().get("/"))
    first.auth = token
    assert check.has_permission(first, views.OpenView()) is False
    token.scopes.add(Permission.objects.get(codename="change_user"))
    second = Request(APIRequestFactory().get("/"))
    second.auth = token
    assert check.has_permission(second, views.OpenView()) is True


def test_force_authenticated_token_passes_scope_check(make_token: TokenFactory) -> None:
    token, _ = scoped(make_token, "add_user")
    request = APIRequestFactory().post("/function/", {}, format="json")
    force_authenticate(request, token=token)
    assert views.function_view(request).status_code == 200
