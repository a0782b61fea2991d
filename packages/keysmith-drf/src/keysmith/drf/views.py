"""``TokenViewSet``: the "API keys" endpoints for the people your DRF API already authenticates
(session, JWT, ...): list, create, retrieve, rotate and revoke their own keysmith tokens."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from django.db import router, transaction
from django.views.decorators.debug import sensitive_variables
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from keysmith.core.selfservice import (
    Caller,
    Reply,
    SelfServiceError,
    SelfServiceFlows,
    SelfServiceLimits,
    run,
)
from keysmith.core.selfservice.answers import check_token_caller, refusal_headers, reply_headers
from keysmith.core.selfservice.errors import INVALID_REQUEST
from keysmith.core.selfservice.ports import Flow
from keysmith.core.selfservice.shapes import page_url
from keysmith.django.context import http_request
from keysmith.django.ownership import caller as caller_of
from keysmith.drf.request import keysmith_token
from keysmith.drf.selfservice import DjangoBackend
from keysmith.models.utils import get_token_model

__all__ = ["TokenViewSet"]

FlowOf = Callable[[SelfServiceFlows, Caller], Flow[Reply]]


def carries_token(request: Request) -> bool:
    """Whether a keysmith token authenticated this request (DRF's class or the middleware)."""
    django_request = http_request(request)
    return keysmith_token(request) is not None or (
        getattr(django_request, "keysmith_token", None) is not None
    )


class TokenViewSet(viewsets.ViewSet):
    """Manage your own tokens; other people's need ``keysmith.manage_others_tokens``.

    Set ``limits`` (a ``SelfServiceLimits``) in a subclass to bound what callers create. A
    request authenticated by a keysmith token is refused unless ``allow_token_authentication``:
    a stolen token must not be able to mint others.
    """

    limits = SelfServiceLimits()
    allow_token_authentication = False
    permission_classes = [IsAuthenticated]
    lookup_field = "id"
    lookup_value_regex = "[^/]+"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        check_token_caller(by_token=carries_token(request), allowed=self.allow_token_authentication)

    def caller(self, request: Request) -> Caller:
        user = request.user
        if not getattr(user, "is_active", True):
            raise NotAuthenticated()  # a deactivated account manages nothing
        return caller_of(user, get_token_model())

    def _reply(
        self, request: Request, flow: Callable[[SelfServiceFlows, Caller], Flow[Reply]]
    ) -> Response:
        reply = run(
            flow(SelfServiceFlows(self.limits), self.caller(request)), DjangoBackend(request)
        )
        return Response(reply.body, status=reply.status, headers=reply_headers(reply))

    def list(self, request: Request) -> Response:
        url = request.build_absolute_uri()
        query = {name: request.query_params.getlist(name) for name in request.query_params}

        def link(page: int) -> str:
            return page_url(url, page)

        return self._reply(request, lambda flows, caller: flows.list(caller, query, link))

    @sensitive_variables()
    def create(self, request: Request) -> Response:
        body = request.body
        # The limit's count and the creation in one transaction: see DjangoBackend.hold_owner.
        with transaction.atomic(using=router.db_for_write(get_token_model())):
            return self._reply(request, lambda flows, caller: flows.create(caller, body))

    def retrieve(self, request: Request, id: str) -> Response:
        return self._reply(request, lambda flows, caller: flows.retrieve(caller, id))

    @action(detail=True, methods=["post"])
    @sensitive_variables()
    def rotate(self, request: Request, id: str) -> Response:
        body = request.body
        return self._reply(request, lambda flows, caller: flows.rotate(caller, id, body))

    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, id: str) -> Response:
        return self._reply(request, lambda flows, caller: flows.revoke(caller, id))

    def handle_exception(self, exc: Exception) -> Response:
        """Every refusal as ``{"detail": ..., "code": ...}``, DRF's own ones included."""
        if isinstance(exc, SelfServiceError):
            return Response(exc.body(), status=exc.status, headers=refusal_headers(exc))
        response = super().handle_exception(exc)
        if isinstance(exc, APIException) and isinstance(response.data, dict):
            detail, codes = exc.detail, exc.get_codes()
            if isinstance(detail, str) and isinstance(codes, str):
                response.data = {"detail": str(detail), "code": codes}
            else:
                response.data = {"detail": "The request is invalid.", "code": INVALID_REQUEST}
        return response


# drf-spectacular reads the schema of each action from the decorations it finds at import time.
if importlib.util.find_spec("drf_spectacular") is not None:
    from keysmith.drf.schema import document

    document(TokenViewSet)
