"""The demo's JSON API: one view that needs a token, one that needs a scope as well."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse

from keysmith.django.decorator import keysmith_required
from keysmith.django.permissions import keysmith_scopes


@keysmith_required
def whoami(request: HttpRequest) -> JsonResponse:
    token = request.keysmith_token  # type: ignore[attr-defined]
    return JsonResponse(
        {
            "token": token.prefix,
            "name": token.name,
            "user": token.user.get_username() if token.user else None,
            "scopes": sorted(token.scopes.values_list("codename", flat=True)),
        }
    )


@keysmith_required
@keysmith_scopes("view_user")
def users(request: HttpRequest) -> JsonResponse:
    names = get_user_model()._default_manager.values_list("username", flat=True)
    return JsonResponse({"users": sorted(names)})
