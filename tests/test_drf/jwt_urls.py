"""An API authenticated by keysmith and by simplejwt, both reading ``Authorization: Bearer``."""

from __future__ import annotations

from typing import Any

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.authentication import JWTAuthentication

from keysmith.drf.auth import KeysmithAuthentication


class WhoAmIView(APIView):
    authentication_classes = [KeysmithAuthentication, JWTAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        authenticator: Any = request.successful_authenticator
        return Response(
            {
                "by": type(authenticator).__name__,
                "user": request.user.get_username(),
                "keysmith_prefix": getattr(request.auth, "prefix", None),
            }
        )


urlpatterns = [path("whoami/", WhoAmIView.as_view())]
