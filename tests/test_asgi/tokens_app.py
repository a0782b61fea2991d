"""A FastAPI app with the token endpoints, for the tests: the app's own authentication is a
header naming the signed-in user (``X-User``), and a table says which scopes each user holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Depends, FastAPI, Header
from test_asgi.conftest import Keys

from keysmith.asgi import KeysmithMiddleware
from keysmith.asgi.fastapi import KeysmithToken
from keysmith.asgi.fastapi_tokens import token_router
from keysmith.core.selfservice import SelfServiceLimits

HOLDS = {"alice": {"read", "write"}, "bob": {"read"}, "manager": {"read", "write", "admin"}}
LIMITS = SelfServiceLimits(
    max_tokens_per_owner=2,
    max_lifetime=timedelta(days=30),
    max_rotation_grace=timedelta(hours=1),
    page_size=2,
    max_page_size=5,
)


def signed_in(x_user: str | None = Header(None)) -> str | None:
    """The app's authentication: None when nobody is signed in."""
    return x_user


def held(user: str) -> set[str]:
    return HOLDS.get(user, set())


async def manages_others(user: str) -> bool:
    return user == "manager"


def tokens_app(keys: Keys, **options: Any) -> FastAPI:
    auth = keys.authenticator()
    app = FastAPI()
    app.add_middleware(KeysmithMiddleware, authenticator=auth)
    common: dict[str, Any] = {"owner": signed_in, "grantable": held}
    common["manages_others"] = manages_others
    app.include_router(token_router(auth, **common, **options), prefix="/me")
    app.include_router(token_router(auth, **common, limits=LIMITS, prefix="/limited/tokens"))
    # The owner may also be given as FastAPI's Depends(...).
    callers = {**common, "owner": Depends(signed_in)}
    app.include_router(
        token_router(
            auth, **callers, allow_token_authentication=True, prefix="/token-callers/tokens"
        )
    )
    protected = KeysmithToken(auth)

    @app.get("/protected")
    def protected_route(token: Any = Depends(protected)) -> dict[str, str]:
        return {"prefix": token.prefix}

    return app
