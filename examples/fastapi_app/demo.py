"""The FastAPI part of the demo: tokens from the ``keysmith`` CLI, requests to a real server.

Creates two tokens with the command-line tool, serves ``app.py`` with uvicorn on a free
localhost port, calls its routes with httpx (200, 401 and 403 answers), prints the audit trail,
then stops the server. Everything lives in a temporary SQLite database.

    uv run python examples/fastapi_app/demo.py
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # examples/http_walkthrough.py

from http_walkthrough import call, self_service  # noqa: E402

STARTUP_SECONDS = 30.0


def keysmith(env: dict[str, str], *args: str) -> str:
    """Run the ``keysmith`` command-line tool and return what it printed."""
    executable = shutil.which("keysmith")
    if executable is None:
        sys.exit("The keysmith command is not installed here (pip install keysmith-sqlalchemy).")
    result = subprocess.run(
        [executable, *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"keysmith {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def create_token(env: dict[str, str], name: str, *scopes: str) -> str:
    scope_args = [arg for scope in scopes for arg in ("--scope", scope)]
    created = json.loads(keysmith(env, "create", "--name", name, *scope_args, "--json"))
    print(f"  keysmith create --name {name} {' '.join(scope_args)} -> {created['prefix']}")
    raw: str = created["token"]
    return raw


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(env: dict[str, str]) -> Iterator[str]:
    """uvicorn serving app.py on 127.0.0.1, stopped when the block ends."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(HERE),
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                sys.exit(f"uvicorn exited with status {process.returncode}")
            try:
                httpx.get(url + "/", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    sys.exit("uvicorn did not start in time")
                time.sleep(0.1)
        print(f"  uvicorn serving examples/fastapi_app/app.py on {url}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="keysmith-demo-") as folder:
        env = {
            **os.environ,
            "KEYSMITH_DATABASE_URL": f"sqlite:///{Path(folder) / 'keysmith.sqlite3'}",
        }
        print("FastAPI + keysmith: tokens from the CLI, requests to a real server")
        keysmith(env, "init")
        reader = create_token(env, "demo-reader", "read")
        writer = create_token(env, "demo-writer", "read", "write")
        # The same token with its six-digit checksum off by one.
        corrupted = reader[:-6] + f"{(int(reader[-6:]) + 1) % 1_000_000:06d}"
        with server(env) as url, httpx.Client(base_url=url, timeout=10.0) as http:
            call(http, "GET", "/", None, label="(no token)", expected=200)
            call(http, "GET", "/me", None, label="(no token)", expected=401)
            call(http, "GET", "/me", corrupted, label="(corrupted token)", expected=401)
            call(http, "GET", "/me", reader, label="(reader token)", expected=200)
            call(http, "POST", "/notes", reader, label="(reader token)", expected=403)
            call(http, "POST", "/notes", writer, label="(writer token)", expected=201)
            call(http, "GET", "/notes", writer, label="(writer token)", expected=200)
            print("API keys: alice signs in (HTTP Basic) and manages her own tokens at /tokens")
            self_service(http)
        print("Audit trail (keysmith audit):")
        print(keysmith(env, "audit").rstrip())


if __name__ == "__main__":
    main()
