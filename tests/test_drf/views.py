"""DRF views protected in each supported way, for the tests of tests/test_drf."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import (
    SAFE_METHODS,
    AllowAny,
    BasePermission,
    IsAdminUser,
    IsAuthenticated,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from keysmith.drf.permissions import HasKeysmithScopes, RequireKeysmithToken, ScopedPermission
from keysmith.drf.throttling import KeysmithTokenThrottle


def describe(request: Request) -> dict[str, Any]:
    user = request.user  # None after force_authenticate(token=...) alone
    return {
        "prefix": getattr(request.auth, "prefix", None),
        "user": user.get_username() if user is not None and user.is_authenticated else None,
    }


class OpenView(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response(describe(request))


class RequiredView(OpenView):
    permission_classes = [RequireKeysmithToken]


class ViewScopesView(OpenView):
    """The view's scopes win over the permission's own."""

    class ReadPermission(HasKeysmithScopes):
        required_scopes = ("view_user",)

    permission_classes = [ReadPermission]
    required_scopes = ("change_user",)


class PermissionScopesView(OpenView):
    class ReadPermission(HasKeysmithScopes):
        required_scopes = ("view_user",)

    permission_classes = [ReadPermission]


class UnscopedView(OpenView):
    permission_classes = [HasKeysmithScopes]


class StringScopesView(OpenView):
    permission_classes = [HasKeysmithScopes]
    required_scopes = "view_user"


class InlineScopesView(OpenView):
    permission_classes = [ScopedPermission("view_user", "change_user")]  # type: ignore[list-item]
    required_scopes = ("delete_user",)  # ignored: the inline scopes are the requirement


class BareScopedView(OpenView):
    permission_classes = [ScopedPermission]


class ScopedAndAdminView(OpenView):
    permission_classes = [ScopedPermission("view_user") & IsAdminUser]


class AdminOrScopedView(OpenView):
    permission_classes = [IsAdminUser | ScopedPermission("view_user")]


class ReadOnly(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS


class ScopedOrReadOnlyView(OpenView):
    permission_classes = [ScopedPermission("add_user") | ReadOnly]

    def post(self, request: Request) -> Response:
        return Response(describe(request))


class ManyScopeChecksView(OpenView):
    """Three scope checks of one request; their database cost is one query in all."""

    permission_classes = [
        ScopedPermission("view_user"),  # type: ignore[list-item]
        ScopedPermission("change_user"),  # type: ignore[list-item]
        ScopedPermission("view_user", "change_user"),  # type: ignore[list-item]
    ]


class OneScopeCheckView(OpenView):
    permission_classes = [ScopedPermission("view_user", "change_user")]  # type: ignore[list-item]


class ThrottledView(OpenView):
    permission_classes = [AllowAny]
    throttle_classes = [KeysmithTokenThrottle]


class UserSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("id", "username")


class UserViewSet(viewsets.ModelViewSet):  # type: ignore[type-arg]
    queryset = User.objects.order_by("id")
    serializer_class = UserSerializer
    permission_classes = [ScopedPermission("view_user")]  # type: ignore[list-item]


class SessionOnlyView(OpenView):
    """A session login is not a keysmith token."""

    permission_classes = [IsAuthenticated & RequireKeysmithToken]


@api_view(["GET", "POST"])
@permission_classes([ScopedPermission("add_user")])  # type: ignore[list-item]
def function_view(request: Request) -> Response:
    return Response({**describe(request), "method": request.method})


class AuthenticatedView(OpenView):
    """DRF's own permission: any authenticated user."""

    permission_classes = [IsAuthenticated]


class AdminView(OpenView):
    """DRF's own permission: a staff user."""

    permission_classes = [IsAdminUser]


class FailingView(OpenView):
    """A view with a bug: Django answers 500."""

    def get(self, request: Request) -> Response:
        raise RuntimeError("the view failed")
