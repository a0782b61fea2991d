"""keysmith.asgi: token authentication for ASGI apps (Starlette and FastAPI helpers in submodules).

Nothing imported here needs Starlette or FastAPI; ``keysmith.asgi.starlette`` and
``keysmith.asgi.fastapi`` do, and are imported only by applications that use them.
"""

from __future__ import annotations

from keysmith.asgi.authenticator import Outcome, TokenAuthenticator
from keysmith.asgi.extract import DEFAULT_HEADER, DEFAULT_QUERY_PARAM, TokenSource
from keysmith.asgi.middleware import KeysmithMiddleware
from keysmith.asgi.ratelimit import RateLimited, RateLimitHook
from keysmith.asgi.responses import ErrorReply
from keysmith.asgi.sql import SQLAuthenticator, from_url
from keysmith.asgi.types import OUTCOME_KEY, STATE_TOKEN_ATTRIBUTE, TOKEN_KEY
from keysmith.asgi.user import AnonymousUser, TokenCredentials, TokenUser
from keysmith.core.messages import DEFAULT_MESSAGES

__version__ = "0.2.0"

__all__ = [
    "DEFAULT_HEADER",
    "DEFAULT_MESSAGES",
    "DEFAULT_QUERY_PARAM",
    "OUTCOME_KEY",
    "STATE_TOKEN_ATTRIBUTE",
    "TOKEN_KEY",
    "AnonymousUser",
    "ErrorReply",
    "KeysmithMiddleware",
    "Outcome",
    "RateLimitHook",
    "RateLimited",
    "SQLAuthenticator",
    "TokenAuthenticator",
    "TokenCredentials",
    "TokenSource",
    "TokenUser",
    "from_url",
]
