"""The Django REST framework samples of the docs, run as printed: settings compared with the
test project's, views and viewsets served as the URLconf and called with DRF's test client.

The samples of docs/permissions.md are fragments of one page: the names its prose says where
to import from (``APIView``, ``viewsets`` and the three permissions) are passed in.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import include, path
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView
from support.docs_samples import docs_sample, run_sample
from test_django import settings as test_settings
from test_drf.conftest import TokenFactory
from test_drf.views import UserSerializer

from keysmith.drf.permissions import HasKeysmithScopes, RequireKeysmithToken, ScopedPermission
from keysmith.drf.throttling import KeysmithTokenThrottle
from keysmith.models import Token

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"
PERMISSIONS_PAGE = {
    "APIView": APIView,
    "viewsets": viewsets,
    "RequireKeysmithToken": RequireKeysmithToken,
    "HasKeysmithScopes": HasKeysmithScopes,
    "ScopedPermission": ScopedPermission,
}


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Callable[[list[Any]], None]:
    """Make ``urlpatterns`` the project's URLconf."""

    def use(urlpatterns: list[Any]) -> None:
        module = types.ModuleType("docs_sample_drf_urls")
        module.urlpatterns = urlpatterns  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, module.__name__, module)
        settings.ROOT_URLCONF = module.__name__

    return use


def view_at(serve: Callable[[list[Any]], None], view: Any) -> None:

    serve([path("view/", view)])


def scoped(make_token: TokenFactory, *codenames: str, **fields: Any) -> str:
    """The raw token of a new token holding permissions with these codenames."""
    content_type = ContentType.objects.get_for_model(Token)
    for codename in codenames:
        Permission.objects.get_or_create(
            codename=codename, content_type=content_type, defaults={"name": codename}
        )
    return make_token(scopes=Permission.objects.filter(codename__in=codenames), **fields)[1]


def status(api: APIClient, raw: str | None, method: str = "get") -> int:
    headers = {HEADER: raw} if raw else {}
    return int(getattr(api, method)("/view/", **headers).status_code)


# Settings


def test_drf_settings_sample_is_what_the_test_project_uses() -> None:
    namespace = run_sample("drf.md", "settings")
    assert {"rest_framework", "keysmith"} <= set(namespace["INSTALLED_APPS"])
    assert {"rest_framework", "keysmith"} <= set(test_settings.INSTALLED_APPS)
    assert namespace["REST_FRAMEWORK"] == test_settings.REST_FRAMEWORK


def test_index_drf_settings_sample_puts_keysmith_first_as_the_test_project_does() -> None:
    documented = run_sample("index.md", "drf-settings")["REST_FRAMEWORK"]
    used = test_settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert documented["DEFAULT_AUTHENTICATION_CLASSES"] == used[:1]


def test_drf_throttle_class_sample_limits_with_its_rate(
    settings: Any, api: APIClient, make_token: TokenFactory, serve: Callable[[list[Any]], None]
) -> None:
    documented = run_sample("drf.md", "throttle-class")["REST_FRAMEWORK"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **documented}
    throttles: Any = api_settings.DEFAULT_THROTTLE_CLASSES
    throttle: Any
    (throttle,) = throttles
    assert throttle is KeysmithTokenThrottle
    limiter: Any = throttle()
    assert (limiter.num_requests, limiter.duration) == (1000, 3600)

    class Limited(APIView):
        throttle_classes = throttles

        def get(self, request: Any) -> Any:

            return Response({"ok": True})

    view_at(serve, Limited.as_view())
    assert status(api, make_token()[1]) == 200


def test_drf_throttle_hook_samples_answer_429(
    api: APIClient, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    seen: list[Any] = []

    def too_many_attempts(request: Any, token: Any) -> bool:
        seen.append(token)
        return len(seen) > 1

    hook = run_sample("drf.md", "throttle-hook", {"too_many_attempts": too_many_attempts})
    # The dotted path the setting names, as the reader's project provides it.
    for name in ("myproject", "myproject.limits"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setattr(
        sys.modules["myproject.limits"], "token_attempts", hook["token_attempts"], raising=False
    )
    keysmith = run_sample("drf.md", "throttle-hook-setting")["KEYSMITH"]
    settings.KEYSMITH = {**test_settings.KEYSMITH, **keysmith}
    token, raw = make_token()
    assert api.get("/api/health/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    throttled = api.get("/api/health/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (throttled.status_code, throttled["Retry-After"]) == (429, "30")
    assert [seen_token.pk for seen_token in seen] == [token.pk, token.pk]


# Views


def test_quickstart_drf_view_sample_answers_with_the_prefix(
    api: APIClient, make_token: TokenFactory, serve: Callable[[list[Any]], None]
) -> None:
    view_at(serve, run_sample("django/quickstart.md", "drf-view")["HealthView"].as_view())
    token, raw = make_token()
    answer = api.get("/view/", HTTP_X_KEYSMITH_TOKEN=raw).json()
    assert answer == {"ok": True, "token_prefix": token.prefix}
    assert status(api, None) == 401


def test_index_drf_view_sample_needs_its_scope(
    api: APIClient, make_token: TokenFactory, serve: Callable[[list[Any]], None]
) -> None:
    view_at(serve, run_sample("index.md", "drf-view")["ReportView"].as_view())
    raw = scoped(make_token, "view_report")
    assert api.get("/view/", HTTP_X_KEYSMITH_TOKEN=raw).json()["token"] == raw.partition(":")[0]
    assert status(api, scoped(make_token, "other")) == 403
    assert status(api, None) == 401


def test_drf_test_client_sample_calls_the_health_endpoint(make_token: TokenFactory) -> None:
    _, raw = make_token()
    namespace = run_sample("drf.md", "test-client", {"raw_token": raw})
    assert namespace["response"].status_code == 200


def test_drf_view_styles_sample_guards_the_viewset_and_the_function(
    api: APIClient,
    make_token: TokenFactory,
    serve: Callable[[list[Any]], None],
    django_user_model: Any,
) -> None:

    namespace = run_sample(
        "drf.md",
        "view-styles",
        {"Report": django_user_model, "ReportSerializer": UserSerializer},
    )
    router = SimpleRouter()
    router.register("reports", namespace["ReportViewSet"])
    serve([path("", include(router.urls)), path("import/", namespace["import_reports"])])
    viewer, other = scoped(make_token, "view_report"), scoped(make_token, "other")
    assert api.get("/reports/", HTTP_X_KEYSMITH_TOKEN=viewer).status_code == 200
    assert api.get("/reports/", HTTP_X_KEYSMITH_TOKEN=other).status_code == 403
    assert api.post("/import/", HTTP_X_KEYSMITH_TOKEN=viewer).status_code == 403
    assert api.post("/import/").status_code == 401


def test_permissions_require_token_sample_needs_a_token(
    api: APIClient, make_token: TokenFactory, serve: Callable[[list[Any]], None]
) -> None:
    namespace = run_sample("permissions.md", "require-token", dict(PERMISSIONS_PAGE))
    view_at(serve, namespace["HealthView"].as_view())
    # Past the permission, the fragment's view has no handler: 405.
    assert status(api, make_token()[1]) == 405
    assert status(api, None) == 401


def test_permissions_has_scopes_sample_reads_view_then_permission_scopes(
    api: APIClient, make_token: TokenFactory, serve: Callable[[list[Any]], None]
) -> None:
    namespace = run_sample("permissions.md", "has-scopes", dict(PERMISSIONS_PAGE))
    view_at(serve, namespace["ReportView"].as_view())
    assert status(api, scoped(make_token, "view_report")) == 405
    assert status(api, scoped(make_token, "export_report")) == 403
    view_at(serve, namespace["ExportView"].as_view())
    assert status(api, scoped(make_token, "export_report")) == 405
    assert status(api, scoped(make_token, "view_report")) == 403


def test_permissions_scoped_permission_sample_needs_every_scope(
    api: APIClient, make_token: TokenFactory, serve: Callable[[list[Any]], None]
) -> None:
    namespace = run_sample("permissions.md", "scoped-permission", dict(PERMISSIONS_PAGE))
    view_at(serve, namespace["ReportAdminView"].as_view())
    assert status(api, scoped(make_token, "write", "admin")) == 405
    assert status(api, scoped(make_token, "write")) == 403


class Assignments(dict[str, Any]):
    """A namespace that keeps every value assigned to ``permission_classes``."""

    def __init__(self) -> None:
        super().__init__()
        self.assigned: list[Any] = []

    def __setitem__(self, key: str, value: Any) -> None:
        if key == "permission_classes":
            self.assigned.append(value)
        super().__setitem__(key, value)


def test_permissions_compositions_sample_combines_as_commented(
    api: APIClient,
    make_token: TokenFactory,
    serve: Callable[[list[Any]], None],
    django_user_model: Any,
) -> None:
    code = docs_sample("permissions.md", "compositions")
    assignments = Assignments()
    assignments.update(PERMISSIONS_PAGE)
    exec(compile(code, "docs/permissions.md", "exec"), assignments)
    both, either, reads_open = assignments.assigned
    admin = django_user_model.objects.create_user("admin", is_staff=True)
    someone = django_user_model.objects.create_user("someone")

    def served(permission_classes: list[Any]) -> None:
        class View(APIView):
            def get(self, request: Any) -> Any:

                return Response({})

            post = get

        View.permission_classes = permission_classes
        view_at(serve, View.as_view())

    served(both)  # ScopedPermission("export_report") & IsAdminUser
    assert status(api, scoped(make_token, "export_report", user=admin)) == 200
    assert status(api, scoped(make_token, "export_report", user=someone)) == 403
    served(either)  # IsAdminUser | ScopedPermission("view_report")
    assert status(api, scoped(make_token, "view_report", user=someone)) == 200
    assert status(api, scoped(make_token, "other", user=admin)) == 200
    assert status(api, scoped(make_token, "other", user=someone)) == 403
    served(reads_open)  # ScopedPermission("add_report") | ReadOnly
    assert status(api, scoped(make_token, "other")) == 200
    assert status(api, scoped(make_token, "other"), "post") == 403
    assert status(api, scoped(make_token, "add_report"), "post") == 200


def test_permissions_per_action_sample_asks_each_action_its_scope(
    api: APIClient,
    make_token: TokenFactory,
    serve: Callable[[list[Any]], None],
    django_user_model: Any,
) -> None:

    namespace = run_sample("permissions.md", "per-action", dict(PERMISSIONS_PAGE))
    documented: Any = namespace["ReportViewSet"]

    class Reports(documented):  # type: ignore[misc]
        queryset = django_user_model.objects.all()
        serializer_class = UserSerializer

    router = SimpleRouter()
    router.register("reports", Reports)
    serve([path("", include(router.urls))])
    someone = django_user_model.objects.create_user("someone")
    view = scoped(make_token, "view_report")
    assert api.get("/reports/", HTTP_X_KEYSMITH_TOKEN=view).status_code == 200
    change = scoped(make_token, "change_report")
    assert api.get("/reports/", HTTP_X_KEYSMITH_TOKEN=change).status_code == 403
    url = f"/reports/{someone.pk}/"
    refused = api.patch(url, {"username": "x"}, format="json", HTTP_X_KEYSMITH_TOKEN=view)
    assert refused.status_code == 403
    patched = api.patch(url, {"username": "renamed"}, format="json", HTTP_X_KEYSMITH_TOKEN=change)
    assert patched.status_code == 200


# Self-service


def test_drf_self_service_urls_sample_serves_the_api_keys_endpoints(
    api: APIClient, serve: Callable[[list[Any]], None], django_user_model: Any
) -> None:
    serve(run_sample("drf-self-service.md", "urls")["urlpatterns"])
    assert api.get("/api/tokens/").status_code in (401, 403)
    api.force_login(django_user_model.objects.create_user("alice"))
    created = api.post("/api/tokens/", {"name": "laptop", "scopes": []}, format="json")
    assert created.status_code == 201
    assert api.get("/api/tokens/").json()["count"] == 1


def test_drf_self_service_limits_sample_caps_the_tokens_per_user(
    api: APIClient, serve: Callable[[list[Any]], None], django_user_model: Any
) -> None:
    namespace = run_sample("drf-self-service.md", "urls")
    serve(run_sample("drf-self-service.md", "limits", namespace)["urlpatterns"])
    api.force_login(django_user_model.objects.create_user("alice"))
    statuses = [
        api.post("/api/keys/", {"name": f"key {n}", "scopes": []}, format="json").status_code
        for n in range(10)
    ]
    assert statuses == [201] * 10
    refused = api.post("/api/keys/", {"name": "one too many", "scopes": []}, format="json")
    assert refused.json()["code"] == "token_limit_reached"


def test_drf_self_service_in_tests_sample_passes(
    serve: Callable[[list[Any]], None], django_user_model: Any
) -> None:
    serve(run_sample("drf-self-service.md", "urls")["urlpatterns"])
    namespace = run_sample("drf-self-service.md", "in-tests")
    namespace["test_create_a_key"](django_user_model)
