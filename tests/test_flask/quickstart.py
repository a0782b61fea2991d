from flask import Flask

from keysmith.flask import Keysmith, current_token

keysmith = Keysmith()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["KEYSMITH_DATABASE_URL"] = "sqlite:///keysmith.sqlite3"
    keysmith.init_app(app)

    @app.get("/me")
    @keysmith.required
    def me():
        return {"prefix": current_token.prefix, "scopes": sorted(current_token.scopes)}

    @app.post("/reports")
    @keysmith.required("reports:write")
    def add_report():
        return {"author": current_token.prefix}, 201

    return app
