"""keysmith.flask: token authentication for Flask apps, over the core and the SQL store."""

from __future__ import annotations

from typing import Any

from flask import current_app
from werkzeug.local import LocalProxy

from keysmith.core.errors import RateLimited
from keysmith.core.extract import DEFAULT_HEADER, DEFAULT_QUERY_PARAM
from keysmith.core.messages import DEFAULT_MESSAGES
from keysmith.flask.authentication import TOKEN_ATTRIBUTE, Outcome, resolve
from keysmith.flask.extension import Keysmith
from keysmith.flask.state import KeysmithState, RateLimitHook, app_state

__version__ = "0.2.0"


def _current_token() -> Any:
    return resolve(app_state(current_app)).token


current_token: Any = LocalProxy(_current_token)
"""The request's authenticated token record (``SQLToken`` for the SQL store), or ``None``
behind the proxy: test it with ``if current_token:``, or read ``g.keysmith_token``."""

__all__ = [
    "DEFAULT_HEADER",
    "DEFAULT_MESSAGES",
    "DEFAULT_QUERY_PARAM",
    "TOKEN_ATTRIBUTE",
    "Keysmith",
    "KeysmithState",
    "Outcome",
    "RateLimitHook",
    "RateLimited",
    "current_token",
]
