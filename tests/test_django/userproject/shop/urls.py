"""A plain Django view and a DRF view, both behind keysmith."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keysmith.django.decorator import keysmith_required
from keysmith.drf.permissions import HasKeysmithScopes


@keysmith_required
def plain(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"prefix": request.keysmith_token.prefix})  # type: ignore[attr-defined]


class Items(APIView):
    permission_classes = [HasKeysmithScopes]
    required_scopes = ["view_user"]

    def get(self, request: Request) -> Response:
        return Response({"prefix": request.auth.prefix})


urlpatterns = [path("plain/", plain), path("api/items/", Items.as_view())]
