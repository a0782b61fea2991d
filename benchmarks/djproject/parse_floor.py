"""The least any DRF class must do to refuse a malformed keysmith token: read the header, parse
it, raise. Not keysmith: a lower bound measured beside it (workspace stack only, as it needs
``keysmith.core``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from benchmarks.djproject.schemes import KEYSMITH_HEADER
from keysmith.core import InvalidToken, parse

# keysmith's own challenge and message, so the refusal carries the same bytes; the message is
# translatable, as keysmith's and DRF's own are, so it pays the same translation look-up.
CHALLENGE = 'Keysmith realm="api", header="X-Keysmith-Token"'
MESSAGE = _("Your session has expired or the token is invalid.")


class ParseThenRefuse(BaseAuthentication):
    """Refuses a token that does not parse with ``AuthenticationFailed``; returns None for one
    that does (no lookup), which ``IsAuthenticated`` then refuses as unauthenticated. Every
    request is answered 401: only the malformed case is the bound, the others are DRF's refusal
    of a well-formed token that nothing looked up."""

    def authenticate(self, request: Request) -> None:
        raw = request.META.get(KEYSMITH_HEADER)
        if raw is not None:
            try:
                parse(raw)
            except InvalidToken:
                raise AuthenticationFailed(MESSAGE) from None

    def authenticate_header(self, request: Request) -> str:
        return CHALLENGE
