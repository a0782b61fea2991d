"""A project serving the token endpoints and drf-spectacular's schema view."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("me/", include("keysmith.drf.urls")),
    path("schema/", SpectacularAPIView.as_view()),
]
