"""A Flask app protected by keysmith: public, token-protected and scope-protected routes, a
protected blueprint with an open health check, and an async view.

Run it with ``flask --app app run`` from this folder. Tokens live in the database named by
``KEYSMITH_DATABASE_URL`` (default: the SQLite file ``keysmith.sqlite3``); manage them with
``flask --app app keysmith init`` and ``flask --app app keysmith create --name my-script
--scope write``.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Blueprint, Flask

from keysmith.flask import Keysmith, current_token

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
    return app
