"""The demo's URLs: the admin and the token-protected API."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from demo_site import api, views

# Each API endpoint is one line here; new ones (a DRF view, say) are appended to this list.
urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign-in for everyone (the admin's own form admits staff only), in the admin's look.
    path("accounts/login/", LoginView.as_view(template_name="admin/login.html"), name="login"),
    path("api/whoami/", views.whoami, name="whoami"),
    path("api/users/", views.users, name="users"),
    path("api/health/", api.HealthView.as_view(), name="health"),
    # The "API keys" endpoints for signed-in users: /api/tokens/ (keysmith.drf.views).
    path("api/", include("keysmith.drf.urls")),
]
