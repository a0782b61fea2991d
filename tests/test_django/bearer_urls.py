"""A project where keysmith shares ``Authorization: Bearer`` with another scheme: a partner's
access tokens guard one view, keysmith tokens another, behind keysmith's middleware."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from test_django import views

# The partner's scheme: opaque access tokens it issued (JWT-shaped, as most are).
PARTNER_TOKENS = {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.cGFydG5lci1zaWduYXR1cmU": "bob"}


def partner_view(request: HttpRequest) -> HttpResponse:
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    user = PARTNER_TOKENS.get(credentials) if scheme.lower() == "bearer" else None
    if user is None:
        refused = HttpResponse("partner token required", status=401)
        refused["WWW-Authenticate"] = 'Bearer realm="partner"'
        return refused
    return JsonResponse(
        {
            "partner_user": user,
            "keysmith_token": getattr(request.keysmith_token, "prefix", None),  # type: ignore[attr-defined]
            "keysmith_error": getattr(request.keysmith_auth_error, "code", None),  # type: ignore[attr-defined]
        }
    )


urlpatterns = [
    path("partner/", partner_view),
    path("open/", views.open_view),
    path("required/", views.required_view),
    path("anonymous-ok/", views.anonymous_ok_view),
    path("scoped/", views.scoped_view),
    path("class/", views.RequiredClassView.as_view()),
    path("async/required/", views.async_required_view),
]
