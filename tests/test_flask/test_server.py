"""End to end: the app behind a real WSGI server on 127.0.0.1 (werkzeug's, in a thread), and
buffered audit rows written out when the process exits."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from test_flask.apps import build_app
from werkzeug.serving import make_server

from keysmith.flask import Keysmith
from keysmith.sqlalchemy import audit_events, make_engine, service


@contextmanager
def serving(app: Flask) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def get(port: int, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def raw_request(port: int, lines: list[str]) -> int:
    """Send header lines exactly as written (the same header twice, say); return the status."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        status_line = sock.makefile("rb").readline().decode("latin-1")
    return int(status_line.split()[1])


def audit_rows(url: str) -> list[tuple[str, int, str | None]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            columns = (audit_events.c.action, audit_events.c.status_code, audit_events.c.extra)
            rows = connection.execute(select(*columns).order_by(audit_events.c.id))
            return [(action, status, extra.get("reason")) for action, status, extra in rows]
    finally:
        engine.dispose()


def test_wsgi_server_authenticates_refuses_and_audits(sqlite_url: str) -> None:
    creator = service(sqlite_url, audit_buffer_seconds=0)
    _, raw = creator.create(name="served", scopes=["read", "write"])
    creator.store.engine.dispose()
    app = Flask(__name__)
    app.config["KEYSMITH_DATABASE_URL"] = sqlite_url
    app = build_app(Keysmith(), app.config)
    with serving(app) as port:
        assert get(port, "/me", {"X-Keysmith-Token": raw})[0] == 200
        assert get(port, "/me", {})[1]["code"] == "missing_token"
        assert get(port, "/async", {"X-Keysmith-Token": raw}) == (200, {"prefix": raw[:12]})
        twice = raw_request(
            port,
            ["GET /me HTTP/1.1", "Host: 127.0.0.1", f"X-Keysmith-Token: {raw}",
             f"X-Keysmith-Token: {raw}", "Connection: close"],
        )  # fmt: skip
        assert twice == 401
    app.extensions["keysmith"].close()
    assert audit_rows(sqlite_url)[1:] == [
        ("auth_success", 200, None),
        ("auth_failed", 401, "missing_token"),
        ("auth_success", 200, None),
        ("auth_failed", 401, "ambiguous_credentials"),
    ]


EXITING_APP = textwrap.dedent(
    """
    import sys
    from flask import Flask
    from keysmith.flask import Keysmith

    app = Flask(__name__)
    # Far longer than the process lives: only the exit can write the rows.
    app.config.update(KEYSMITH_DATABASE_URL=sys.argv[1], KEYSMITH_AUDIT_BUFFER_SECONDS=3600)
    keysmith = Keysmith(app)

    @app.get("/")
    @keysmith.required
    def index():
        return "ok"

    client = app.test_client()
    for _ in range(3):
        assert client.get("/", headers={"X-Keysmith-Token": sys.argv[2]}).status_code == 200
    assert keysmith.state(app).service.sink.pending() == 3
    """
)


def test_buffered_rows_are_written_when_the_process_exits(sqlite_url: str, tmp_path: Path) -> None:
    creator = service(sqlite_url, audit_buffer_seconds=0)
    _, raw = creator.create(name="exiting")
    creator.store.engine.dispose()
    script = tmp_path / "exiting_app.py"
    script.write_text(EXITING_APP, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYSMITH_")}
    result = subprocess.run(
        [sys.executable, str(script), sqlite_url, raw],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert [row[:2] for row in audit_rows(sqlite_url)] == [("created", 0)] + [
        ("auth_success", 200)
    ] * 3
