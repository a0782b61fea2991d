"""Calling the full Django WSGI handler in-process: URL routing, middleware, view, response."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

KEYSMITH_MIDDLEWARE = "keysmith.django.middleware.KeysmithAuthenticationMiddleware"

_BASE_ENVIRON: dict[str, Any] = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "QUERY_STRING": "",
    "SERVER_NAME": "testserver",
    "SERVER_PORT": "80",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_HOST": "testserver",
    "HTTP_USER_AGENT": "keysmith-bench/1.0",
    "HTTP_ACCEPT": "application/json",
    "REMOTE_ADDR": "127.0.0.1",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr,
    "wsgi.multithread": True,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}


def make_handler(extra_middleware: Iterable[str] = ()) -> WSGIHandler:
    """A handler whose middleware is the project's stack plus ``extra_middleware``.

    Django reads ``MIDDLEWARE`` once, when the handler is built, so handlers with different
    stacks live side by side in one process.
    """
    stack = list(settings.MIDDLEWARE)
    settings.MIDDLEWARE = [*stack, *extra_middleware]
    try:
        return WSGIHandler()
    finally:
        settings.MIDDLEWARE = stack


def request_fn(handler: WSGIHandler, path: str, headers: Mapping[str, str]) -> Callable[[], int]:
    """A function performing one GET of ``path`` with ``headers`` (``HTTP_*`` environ keys)."""
    environ = {**_BASE_ENVIRON, "PATH_INFO": path, **headers}
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, _exc_info: Any = None) -> Any:
        statuses.append(status)
        return None

    def call() -> int:
        statuses.clear()
        response = handler({**environ, "wsgi.input": io.BytesIO()}, start_response)
        try:
            for _chunk in response:
                pass
        finally:
            # Closing the response sends request_finished, as a WSGI server does.
            response.close()
        return int(statuses[0][:3])

    return call
