"""Views the tests call through the real request stack, protected in each supported way."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View

from keysmith.django.decorator import keysmith_required
from keysmith.django.permissions import keysmith_scopes
from keysmith.services.tokens import revoke_token


def describe(request: HttpRequest) -> JsonResponse:
    token = getattr(request, "keysmith_token", None)
    user = getattr(request, "keysmith_user", None)
    error = getattr(request, "keysmith_auth_error", None)
    return JsonResponse(
        {
            "prefix": getattr(token, "prefix", None),
            "user": user.get_username() if user is not None else None,
            "error": getattr(error, "code", None),
            "query": request.GET.urlencode(),
        }
    )


def open_view(request: HttpRequest) -> JsonResponse:
    return describe(request)


@keysmith_required
def required_view(request: HttpRequest) -> JsonResponse:
    return describe(request)


@keysmith_required(allow_anonymous=True, invalid_message="bad token here")
def anonymous_ok_view(request: HttpRequest) -> JsonResponse:
    return describe(request)


@keysmith_required(missing_message="token please")
def custom_message_view(request: HttpRequest) -> JsonResponse:
    return describe(request)


@keysmith_required
@keysmith_scopes("view_group", "change_group")
def scoped_view(request: HttpRequest) -> JsonResponse:
    return describe(request)


@keysmith_scopes("view_group")
def scopes_only_view(request: HttpRequest) -> JsonResponse:
    return describe(request)


@keysmith_required
async def async_required_view(request: HttpRequest) -> JsonResponse:
    return describe(request)


@keysmith_scopes("view_group")
async def async_scoped_view(request: HttpRequest) -> JsonResponse:
    return describe(request)


@keysmith_required
class RequiredClassView(View):
    def get(self, request: HttpRequest) -> JsonResponse:
        return describe(request)


@keysmith_required
class AsyncRequiredClassView(View):
    async def get(self, request: HttpRequest) -> JsonResponse:
        return describe(request)


class MethodDecoratedView(View):
    @method_decorator(keysmith_required)
    def get(self, request: HttpRequest) -> JsonResponse:
        return describe(request)


class PlainView(View):
    def get(self, request: HttpRequest) -> JsonResponse:
        return describe(request)


@keysmith_required
def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("the view failed")


@keysmith_required
def rolled_back_view(request: HttpRequest) -> HttpResponse:
    Group.objects.create(name="made-in-rolled-back-view")
    transaction.set_rollback(True)
    return HttpResponse("rolled back", status=200)


@keysmith_required
def rename_after_revoke_view(request: HttpRequest) -> JsonResponse:
    """Saves the request's token after someone else revoked it (the admin, another request)."""
    token = request.keysmith_token  # type: ignore[attr-defined]
    revoke_token(type(token).objects.get(pk=token.pk))
    token.description = "renamed by the view"
    token.save()
    return describe(request)
