"""The Flask app the tests call: public, protected, scoped, class-based, async and blueprint
routes, all guarded by one ``Keysmith`` object."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, g
from flask.views import MethodView

from keysmith.flask import Keysmith, current_token


def build_app(keysmith: Keysmith, config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config or {})
    keysmith.init_app(app)

    @app.get("/")
    def index() -> dict[str, Any]:
        return {"public": True, "token": current_token.prefix if current_token else None}

    @app.get("/me")
    @keysmith.required
    def me() -> dict[str, Any]:
        return {"prefix": current_token.prefix, "g": g.keysmith_token.prefix}

    @app.post("/notes")
    @keysmith.required("write")
    def add_note() -> tuple[dict[str, Any], int]:
        return {"author": current_token.prefix}, 201

    @app.get("/async")
    @keysmith.required("read")
    async def async_view() -> dict[str, Any]:
        return {"prefix": current_token.prefix}

    @app.get("/missing")
    @keysmith.required
    def not_found() -> tuple[str, int]:
        return "no such thing", 404

    @app.get("/boom")
    @keysmith.required
    def boom() -> str:
        raise RuntimeError("the view failed")

    class Items(MethodView):
        decorators = [keysmith.required]

        def get(self) -> dict[str, Any]:
            return {"prefix": current_token.prefix}

        @keysmith.required("write")
        def post(self) -> tuple[dict[str, Any], int]:
            return {"created_by": current_token.prefix}, 201

    app.add_url_rule("/items", view_func=Items.as_view("items"))

    api = Blueprint("api", __name__, url_prefix="/api")
    keysmith.protect(api, exempt=["health"])

    @api.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True}

    @api.get("/version")
    @keysmith.exempt
    def version() -> dict[str, Any]:
        return {"version": 1}

    @api.get("/reports")
    def reports() -> dict[str, Any]:
        return {"prefix": current_token.prefix}

    admin = Blueprint("admin", __name__, url_prefix="/admin")
    keysmith.protect(admin, "admin")

    @admin.get("/")
    def admin_index() -> dict[str, Any]:
        return {"admin": current_token.prefix}

    app.register_blueprint(api)
    app.register_blueprint(admin)
    return app
