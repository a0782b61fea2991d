"""A Flask app protected by keysmith: public, token-protected and scope-protected routes, a
protected blueprint with an open health check, an async view, and the "API keys" endpoints
(``/tokens``) where signed-in users manage their own tokens.

Run it with ``flask --app app run`` from this folder. Tokens live in the database named by
``KEYSMITH_DATABASE_URL`` (default: the SQLite file ``keysmith.sqlite3``); manage them with
``flask --app app keysmith init`` and ``flask --app app keysmith create --name my-script
--scope write``.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from flask import Blueprint, Flask, request

from keysmith.flask import Keysmith, current_token
from keysmith.flask.tokens import token_blueprint

keysmith = Keysmith()
notes: list[dict[str, str]] = []

api = Blueprint("api", __name__, url_prefix="/api")
keysmith.protect(api, exempt=["health"])  # every /api route needs a token, but /api/health


@api.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@api.get("/notes")
def list_notes() -> list[dict[str, str]]:
    return notes


@api.post("/notes")
@keysmith.required("write")
def add_note() -> tuple[dict[str, str], int]:
    note = {"text": "hello", "author": current_token.prefix}
    notes.append(note)
    return note, 201


# The app's own sign-in (HTTP Basic here; a session or Flask-Login works the same): its users,
# their demo passwords, and the scopes each one holds, so may grant their tokens.
USERS = {
    "alice": ("alice-demo-password", {"read", "write"}),
    "bob": ("bob-demo-password", {"read"}),
}


def signed_in() -> str | None:
    """The signed-in user's id, or None (the token endpoints then answer 401)."""
    credentials = request.authorization
    if credentials is None or credentials.username not in USERS:
        return None
    password = USERS[credentials.username][0].encode()
    if not secrets.compare_digest((credentials.password or "").encode(), password):
        return None
    return credentials.username


def scopes_held(user: str) -> set[str]:
    return USERS[user][1]


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["KEYSMITH_DATABASE_URL"] = os.environ.get(
        "KEYSMITH_DATABASE_URL", "sqlite:///keysmith.sqlite3"
    )
    keysmith.init_app(app)

    @app.get("/")
    def index() -> dict[str, str]:
        return {"message": "Public: no token needed."}

    @app.get("/me")
    @keysmith.required
    async def me() -> dict[str, Any]:
        token = current_token
        return {"prefix": token.prefix, "name": token.name, "scopes": sorted(token.scopes)}

    app.register_blueprint(api)
    app.register_blueprint(token_blueprint(owner=signed_in, grantable=scopes_held))
    return app
