"""URLs of the test project: views protected in each supported way."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path
from test_django import views

from keysmith.django.decorator import keysmith_required

urlpatterns = [
    path("admin/", admin.site.urls),
    path("open/", views.open_view),
    path("required/", views.required_view),
    path("anonymous-ok/", views.anonymous_ok_view),
    path("custom-message/", views.custom_message_view),
    path("scoped/", views.scoped_view),
    path("scopes-only/", views.scopes_only_view),
    path("async/required/", views.async_required_view),
    path("async/scoped/", views.async_scoped_view),
    path("class/", views.RequiredClassView.as_view()),
    path("class-async/", views.AsyncRequiredClassView.as_view()),
    path("class-method/", views.MethodDecoratedView.as_view()),
    path("as-view/", keysmith_required(views.PlainView.as_view())),
    path("failing/", views.failing_view),
    path("rolled-back/", views.rolled_back_view),
    path("rename-after-revoke/", views.rename_after_revoke_view),
]
