"""The Flask part of the demo: tokens from ``flask keysmith``, requests to a real server.

Creates two tokens with ``flask --app app keysmith``, serves ``app.py`` with werkzeug's WSGI
server on a free localhost port, calls its public, protected and scoped routes (200, 401, 403,
201), rotates the reader's token (the old one is refused), revokes it, lets a signed-in user
create, list, rotate and revoke her own tokens at ``/tokens``, prints the audit trail, then stops
the server. Everything lives in a temporary SQLite database.

    uv run python examples/flask_app/demo.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from werkzeug.serving import WSGIRequestHandler, make_server

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # examples/http_walkthrough.py

from http_walkthrough import call, self_service  # noqa: E402


def flask_keysmith(env: dict[str, str], *args: str) -> str:
    """Run ``flask --app app keysmith ...`` and return what it printed."""
    command = [sys.executable, "-m", "flask", "--app", "app", "keysmith", *args]
    result = subprocess.run(command, cwd=HERE, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"flask keysmith {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def create_token(env: dict[str, str], name: str, *scopes: str) -> str:
    scope_args = [arg for scope in scopes for arg in ("--scope", scope)]
    created = json.loads(flask_keysmith(env, "create", "--name", name, *scope_args, "--json"))
    print(f"  flask keysmith create --name {name} {' '.join(scope_args)} -> {created['prefix']}")
    raw: str = created["token"]
    return raw


class QuietHandler(WSGIRequestHandler):
    """No access log: the demo prints each call itself."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@contextmanager
def server() -> Iterator[str]:
    """app.py behind werkzeug's WSGI server on 127.0.0.1, stopped when the block ends."""
    sys.path.insert(0, str(HERE))
    from app import create_app  # noqa: PLC0415 (imported once the database is chosen)

    app = create_app()
    wsgi = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=wsgi.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{wsgi.server_port}"
    print(f"  werkzeug serving examples/flask_app/app.py on {url}")
    try:
        yield url
    finally:
        wsgi.shutdown()
        thread.join()
        app.extensions["keysmith"].close()  # writes the buffered audit rows out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="keysmith-flask-demo-") as folder:
        database = f"sqlite:///{Path(folder) / 'keysmith.sqlite3'}"
        os.environ["KEYSMITH_DATABASE_URL"] = database
        env = {**os.environ}
        print("Flask + keysmith: tokens from flask keysmith, requests to a real server")
        flask_keysmith(env, "init")
        reader = create_token(env, "demo-reader", "read")
        writer = create_token(env, "demo-writer", "read", "write")
        with server() as url, httpx.Client(base_url=url, timeout=10.0) as http:
            call(http, "GET", "/", None, label="(no token)", expected=200)
            call(http, "GET", "/api/health", None, label="(no token)", expected=200)
            call(http, "GET", "/me", None, label="(no token)", expected=401)
            call(http, "GET", "/me", reader, label="(reader token)", expected=200)
            call(http, "POST", "/api/notes", reader, label="(reader token)", expected=403)
            call(http, "POST", "/api/notes", writer, label="(writer token)", expected=201)
            call(http, "GET", "/api/notes", writer, label="(writer token)", expected=200)
            prefix = reader.split(":")[0]
            rotated = flask_keysmith(env, "rotate", prefix).strip().splitlines()[-1]
            print(f"  flask keysmith rotate {prefix}")
            call(http, "GET", "/me", reader, label="(old reader token)", expected=401)
            call(http, "GET", "/me", rotated, label="(rotated token)", expected=200)
            flask_keysmith(env, "revoke", prefix)
            print(f"  flask keysmith revoke {prefix}")
            call(http, "GET", "/me", rotated, label="(revoked token)", expected=401)
            print("API keys: alice signs in (HTTP Basic) and manages her own tokens at /tokens")
            self_service(http)
        print("Audit trail (flask keysmith audit):")
        print(flask_keysmith(env, "audit").rstrip())


if __name__ == "__main__":
    main()
