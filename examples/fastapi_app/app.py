"""A FastAPI app protected by keysmith: a public, a token-protected and a scope-protected route,
and the "API keys" endpoints (``/tokens``) where signed-in users manage their own tokens.

Run it with ``uvicorn app:app`` from this folder. Tokens live in the database named by
``KEYSMITH_DATABASE_URL`` (default: the SQLite file ``keysmith.sqlite3`` in the folder the app
is started from), the same one the ``keysmith`` command manages when run from that folder:
``keysmith init``, then ``keysmith create --name my-script --scope write``. Started where that
database has no keysmith tables, the app stops at start-up with an error naming the file.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from keysmith.asgi import KeysmithMiddleware, from_url
from keysmith.asgi.fastapi import KeysmithToken
from keysmith.asgi.fastapi_tokens import token_router
from keysmith.sqlalchemy import SQLToken, make_async_engine

engine = make_async_engine()
keysmith = from_url(engine)

# Any valid token; a valid token holding the "write" scope.
Token = Annotated[SQLToken, Depends(KeysmithToken(keysmith))]
Writer = Annotated[SQLToken, Depends(KeysmithToken(keysmith, scopes=["write"]))]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # No create_all_async here: tables created in whatever folder the app happens to start
    # from would hide the database `keysmith init` made (KeysmithMiddleware checks it instead).
    yield
    await engine.dispose()


app = FastAPI(title="keysmith FastAPI example", lifespan=lifespan)
# Optional next to the dependencies: it audits every request with its final status code.
app.add_middleware(KeysmithMiddleware, authenticator=keysmith)

notes: list[dict[str, str]] = []

# The app's own sign-in (HTTP Basic here; a session or a JWT works the same): its users, their
# demo passwords, and the scopes each one holds, so may grant their tokens.
USERS = {
    "alice": ("alice-demo-password", {"read", "write"}),
    "bob": ("bob-demo-password", {"read"}),
}
basic = HTTPBasic(auto_error=False)


def signed_in(credentials: HTTPBasicCredentials | None = Depends(basic)) -> str | None:
    """The signed-in user's id, or None (the token endpoints then answer 401)."""
    if credentials is None or credentials.username not in USERS:
        return None
    password = USERS[credentials.username][0].encode()
    if not secrets.compare_digest(credentials.password.encode(), password):
        return None
    return credentials.username


def scopes_held(user: str) -> set[str]:
    return USERS[user][1]


app.include_router(token_router(keysmith, owner=signed_in, grantable=scopes_held))


@app.get("/")
def index() -> dict[str, str]:
    return {"message": "Public: no token needed."}


@app.get("/me")
def me(token: Token) -> dict[str, object]:
    return {"prefix": token.prefix, "name": token.name, "scopes": sorted(token.scopes)}


@app.get("/notes")
def list_notes(token: Token) -> list[dict[str, str]]:
    return notes


@app.post("/notes", status_code=201)
def add_note(token: Writer, text: str = "hello") -> dict[str, str]:
    note = {"text": text, "author": token.prefix}
    notes.append(note)
    return note
