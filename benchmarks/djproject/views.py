"""One tiny view per authentication scheme; all answer the same small JSON body."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework.authentication import BaseAuthentication, TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

BODY = {"ok": True}


def drf_view(authentication: list[Any], permissions: list[Any]) -> Any:
    """An ``APIView`` answering ``BODY`` to GET, behind the given DRF classes."""

    class BenchView(APIView):
        authentication_classes = authentication
        permission_classes = permissions

        def get(self, request: Request) -> Response:
            return Response(BODY)

    return BenchView.as_view()


class RefuseAll(BaseAuthentication):
    """Refuses every request at once: what a 401 costs DRF with no authentication work."""

    def authenticate(self, request: Request) -> None:
        raise AuthenticationFailed  # DRF's own (translated) message, as its classes send

    def authenticate_header(self, request: Request) -> str:
        return "Token"


def available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def scheme_views() -> dict[str, Any]:
    """URL name -> view for every scheme whose package is installed in this environment."""
    views: dict[str, Any] = {
        "floor": drf_view([], []),
        "refusal": drf_view([RefuseAll], [IsAuthenticated]),
        "drf-token": drf_view([TokenAuthentication], [IsAuthenticated]),
    }
    if available("keysmith.drf.auth"):
        # The workspace's keysmith-drf, or django-keysmith 0.1.2's class at the same path.
        from keysmith.drf.auth import KeysmithAuthentication

        views["keysmith"] = drf_view([KeysmithAuthentication], [IsAuthenticated])
    if available("knox"):
        from knox.auth import TokenAuthentication as KnoxAuthentication

        views["knox"] = drf_view([KnoxAuthentication], [IsAuthenticated])
    if available("rest_framework_api_key"):
        from rest_framework_api_key.permissions import HasAPIKey

        views["api-key"] = drf_view([], [HasAPIKey])
    if available("keysmith.core"):
        from benchmarks.djproject.parse_floor import ParseThenRefuse
        from keysmith.django.decorator import keysmith_required

        views["refusal-parse"] = drf_view([ParseThenRefuse], [IsAuthenticated])

        @keysmith_required
        def plain_django(request: HttpRequest) -> JsonResponse:
            return JsonResponse(BODY)

        views["keysmith-django"] = plain_django
    return views
