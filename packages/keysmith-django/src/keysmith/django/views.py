"""Running a check before a view: function views, ``as_view()`` callables and View classes,
sync or async."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from asgiref.sync import iscoroutinefunction, sync_to_async
from django.http import HttpResponseBase

from keysmith.django.recording import record_unless_middleware

# Returns a response refusing the request, or None to let the view run; may use the ORM.
Check = Callable[[Any], "HttpResponseBase | None"]


V = TypeVar("V")  # a view: a function, an ``as_view()`` result or a View class


def protect(view: V, check: Check) -> V:
    """``view`` guarded by ``check``; a View class gets its ``dispatch`` wrapped in place."""
    if isinstance(view, type):
        is_async = bool(getattr(view, "view_is_async", False))
        view_class: Any = view
        view_class.dispatch = _wrap(view_class.dispatch, check, is_async=is_async, method=True)
        return view
    return cast("V", _wrap(view, check, is_async=iscoroutinefunction(view), method=False))


def _wrap(func: Any, check: Check, *, is_async: bool, method: bool) -> Any:
    def request_of(args: tuple[Any, ...]) -> Any:
        return args[1] if method else args[0]

    if is_async:

        @wraps(func)
        async def async_view(*args: Any, **kwargs: Any) -> Any:
            request = request_of(args)
            response = await sync_to_async(check)(request)
            if response is None:
                response = func(*args, **kwargs)
                if inspect.isawaitable(response):
                    response = await response
            if _is_response(response):
                await sync_to_async(record_unless_middleware)(request, response.status_code)
            return response

        return async_view

    @wraps(func)
    def sync_view(*args: Any, **kwargs: Any) -> Any:
        request = request_of(args)
        response = check(request)
        if response is None:
            response = func(*args, **kwargs)
        if _is_response(response):
            record_unless_middleware(request, response.status_code)
        return response

    return sync_view


def _is_response(response: Any) -> bool:
    # A view that returned something else (None) is Django's to refuse, with its own message
    # ("didn't return an HttpResponse object"); the request is then audited as a 500.
    return hasattr(response, "status_code")
