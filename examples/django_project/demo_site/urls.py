"""The demo's URLs: the admin and the token-protected API."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path

from demo_site import api, views

# Each API endpoint is one line here; new ones (a DRF view, say) are appended to this list.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/whoami/", views.whoami, name="whoami"),
    path("api/users/", views.users, name="users"),
    path("api/health/", api.HealthView.as_view(), name="health"),
]
