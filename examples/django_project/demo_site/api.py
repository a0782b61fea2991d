"""The demo's Django REST framework endpoint: the quick start's ``HealthView``."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keysmith.drf.permissions import RequireKeysmithToken


class HealthView(APIView):
    permission_classes = [RequireKeysmithToken]

    def get(self, request: Request) -> Response:
        return Response({"ok": True, "token_prefix": request.auth.prefix})
