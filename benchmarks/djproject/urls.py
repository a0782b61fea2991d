"""``/<scheme>/`` for every scheme view."""

from __future__ import annotations

from django.urls import path

from benchmarks.djproject.views import scheme_views

urlpatterns = [path(f"{name}/", view, name=name) for name, view in scheme_views().items()]
