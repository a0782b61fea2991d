"""The quick start's endpoint, as docs/django/quickstart.md prints it (checked by a test)."""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import APIView

from keysmith.drf.permissions import RequireKeysmithToken


class HealthView(APIView):
    permission_classes = [RequireKeysmithToken]

    def get(self, request):
        return Response(
            {
                "ok": True,
                "token_prefix": request.auth.prefix,
            }
        )
