"""The app ``flask --app`` loads in the command-line tests: its database comes from the
environment, its token namespace from its own config."""

from __future__ import annotations

import os

from flask import Flask

from keysmith.flask import Keysmith, current_token

keysmith = Keysmith()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        KEYSMITH_DATABASE_URL=os.environ["CLIAPP_DATABASE_URL"],
        KEYSMITH_TOKEN_PREFIX="cli",
        KEYSMITH_HASH_ITERATIONS=1000,
        KEYSMITH_AUDIT_BUFFER_SECONDS=0,
    )
    keysmith.init_app(app)

    @app.get("/me")
    @keysmith.required("read")
    def me() -> dict[str, str]:
        return {"prefix": current_token.prefix}

    return app
