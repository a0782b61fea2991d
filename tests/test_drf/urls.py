"""URLs of the DRF tests (the test settings' ROOT_URLCONF while tests/test_drf runs)."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import DefaultRouter
from test_drf import selfservice_views, views
from test_drf.quickstart import HealthView

router = DefaultRouter()
router.register("users", views.UserViewSet)

urlpatterns = [
    path("api/health/", HealthView.as_view()),
    path("open/", views.OpenView.as_view()),
    path("required/", views.RequiredView.as_view()),
    path("view-scopes/", views.ViewScopesView.as_view()),
    path("permission-scopes/", views.PermissionScopesView.as_view()),
    path("unscoped/", views.UnscopedView.as_view()),
    path("string-scopes/", views.StringScopesView.as_view()),
    path("inline-scopes/", views.InlineScopesView.as_view()),
    path("bare-scoped/", views.BareScopedView.as_view()),
    path("scoped-and-admin/", views.ScopedAndAdminView.as_view()),
    path("admin-or-scoped/", views.AdminOrScopedView.as_view()),
    path("scoped-or-read-only/", views.ScopedOrReadOnlyView.as_view()),
    path("many-scope-checks/", views.ManyScopeChecksView.as_view()),
    path("one-scope-check/", views.OneScopeCheckView.as_view()),
    path("throttled/", views.ThrottledView.as_view()),
    path("session-only/", views.SessionOnlyView.as_view()),
    path("function/", views.function_view),
    path("authenticated/", views.AuthenticatedView.as_view()),
    path("admin-only/", views.AdminView.as_view()),
    path("failing/", views.FailingView.as_view()),
    path("router/", include(router.urls)),
    path("me/", include("keysmith.drf.urls")),
    path("variants/", include(selfservice_views.router.urls)),
]
