"""Token viewsets of the self-service tests: the default one, one with limits, one behind
session authentication only."""

from __future__ import annotations

from datetime import timedelta

from rest_framework.authentication import SessionAuthentication
from rest_framework.routers import SimpleRouter

from keysmith.core.selfservice import SelfServiceLimits
from keysmith.drf.views import TokenViewSet


class LimitedTokens(TokenViewSet):
    limits = SelfServiceLimits(
        max_tokens_per_owner=2,
        max_lifetime=timedelta(days=30),
        max_rotation_grace=timedelta(hours=1),
        page_size=2,
        max_page_size=5,
    )


class RequiredExpiryTokens(TokenViewSet):
    limits = SelfServiceLimits(require_expiry=True)


class SessionOnlyTokens(TokenViewSet):
    authentication_classes = [SessionAuthentication]


class TokenCallersAllowed(TokenViewSet):
    allow_token_authentication = True


router = SimpleRouter()
router.register("limited", LimitedTokens, basename="limited-token")
router.register("expiring", RequiredExpiryTokens, basename="expiring-token")
router.register("session", SessionOnlyTokens, basename="session-token")
router.register("token-callers", TokenCallersAllowed, basename="token-caller-token")
