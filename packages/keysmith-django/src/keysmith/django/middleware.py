"""``KeysmithAuthenticationMiddleware``: authenticate every request, audit its outcome after the
response (outside the view's transaction). Works under WSGI and ASGI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponseBase

from keysmith.django.authentication import authenticate_request
from keysmith.django.http import refusal
from keysmith.django.recording import record_request_outcome, request_state


class KeysmithAuthenticationMiddleware:
    """Place after ``django.contrib.auth``'s ``AuthenticationMiddleware``.

    Sets ``request.keysmith_token``, ``request.keysmith_user`` and
    ``request.keysmith_auth_error``; answers 429 when ``RATE_LIMIT_HOOK`` raises
    ``RateLimited``, and 503 (with ``Retry-After``) when the hook fails otherwise or the
    database cannot be read. It never refuses a request for a missing or bad token: the view
    decorators decide that.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        request_state(request).middleware = True
        outcome = authenticate_request(request)
        response = refusal(outcome) or self.get_response(request)
        record_request_outcome(request, response.status_code)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        request_state(request).middleware = True
        # The ORM is synchronous: the same thread-sensitive executor Django uses for sync code.
        outcome = await sync_to_async(authenticate_request)(request)
        response: HttpResponseBase | None = refusal(outcome)
        if response is None:
            pending: Awaitable[HttpResponseBase] = self.get_response(request)
            response = await pending
        await sync_to_async(record_request_outcome)(request, response.status_code)
        return response
