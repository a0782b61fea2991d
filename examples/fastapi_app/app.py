"""A FastAPI app protected by keysmith: a public, a token-protected and a scope-protected route.

Run it with ``uvicorn app:app`` from this folder. Tokens live in the database named by
``KEYSMITH_DATABASE_URL`` (default: the SQLite file ``keysmith.sqlite3``), the same one the
``keysmith`` command manages: ``keysmith create --name my-script --scope write``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI

from keysmith.asgi import KeysmithMiddleware, from_url
from keysmith.asgi.fastapi import KeysmithToken
from keysmith.sqlalchemy import SQLToken, create_all_async, make_async_engine

engine = make_async_engine()
keysmith = from_url(engine)

# Any valid token; a valid token holding the "write" scope.
Token = Annotated[SQLToken, Depends(KeysmithToken(keysmith))]
Writer = Annotated[SQLToken, Depends(KeysmithToken(keysmith, scopes=["write"]))]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    await create_all_async(engine)  # a no-op once the tables exist
    yield
    await engine.dispose()


app = FastAPI(title="keysmith FastAPI example", lifespan=lifespan)
# Optional next to the dependencies: it audits every request with its final status code.
app.add_middleware(KeysmithMiddleware, authenticator=keysmith)

notes: list[dict[str, str]] = []


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
