"""A walkthrough of keysmith in a real Django project: tokens through a real server on localhost.

uv run python examples/django_project/demo.py           # the walkthrough
uv run python examples/django_project/demo.py --serve   # the admin, to click around
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import django

PROJECT_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(PROJECT_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_site.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from self_service import prepare_user  # noqa: E402
from self_service import walkthrough as self_service_walkthrough  # noqa: E402

from keysmith.models.utils import get_audit_log_model  # noqa: E402
from keysmith.services.tokens import create_token, revoke_token, rotate_token  # noqa: E402

MANAGE = PROJECT_DIR / "manage.py"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin"  # a local demo only
SERVE_ADDRESS = "127.0.0.1:8000"
STARTUP_SECONDS = 60


def step(title: str) -> None:
    print(f"\n== {title}")


def prepare() -> Any:
    """Migrate the SQLite database in this folder and make sure the demo superuser exists."""
    call_command("migrate", verbosity=0)
    users = get_user_model()._default_manager
    admin = users.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        admin = users.create_superuser(ADMIN_USERNAME, "admin@example.com", ADMIN_PASSWORD)
    return admin


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def call(url: str, token: str | None = None) -> tuple[int, str]:
    headers = {"X-Keysmith-Token": token} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def show(label: str, url: str, token: str | None) -> int:
    status, body = call(url, token)
    with contextlib.suppress(ValueError):  # plain-text 401 bodies stay as they are
        body = json.dumps(json.loads(body))
    print(f"{label:<28} GET {url.split('/', 3)[3]:<12} -> {status} {body}")
    return status


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """``manage.py runserver --noreload`` on a free loopback port, stopped on the way out."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, str(MANAGE), "runserver", "--noreload", f"127.0.0.1:{port}"]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_up(server, f"{base}/api/whoami/", log)
            print(f"server: {base} (pid {server.pid})")
            yield base
        finally:
            # Ctrl-C, not SIGTERM: the server then exits normally and writes out its buffered
            # authentication audit rows (AUDIT_BUFFER_SECONDS) before it stops.
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            print("server stopped")


def wait_until_up(server: subprocess.Popen[bytes], url: str, log: Any) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)
            sys.exit(f"the server exited early:\n{log.read().decode(errors='replace')}")
        try:
            call(url)
        except OSError:
            time.sleep(0.2)
        else:
            return
    sys.exit(f"the server did not answer within {STARTUP_SECONDS} s")


def print_audit_trail(token: Any) -> None:
    # In the order the events happened: buffered authentication rows are written (and numbered)
    # after lifecycle rows of later events.
    rows = get_audit_log_model()._default_manager.filter(token=token).order_by("created_at", "id")
    for row in rows:
        when = row.created_at.strftime("%H:%M:%S")
        request = f"{row.method} {row.path}" if row.method else "(no request)"
        print(f"{when}  {row.action:<13} {row.status_code:>3}  {request:<22} {row.extra}")


def walkthrough() -> None:
    step("Migrate the demo database and make sure the demo superuser exists")
    admin = prepare()
    print(f"database: {PROJECT_DIR / 'db.sqlite3'}; superuser: {admin.get_username()}")

    step("Create a token with create_token (only its hash is stored; the raw token is shown once)")
    token, raw = create_token(
        name="demo-script", user=admin, created_by=admin, scopes=["view_user"]
    )
    print(f"prefix:    {token.prefix}")
    print(f"raw token: {raw}")
    print(f"stored:    {token.key[:32]}...")

    step("Start the project with manage.py runserver on a free localhost port")
    with running_server() as base:
        whoami, users = f"{base}/api/whoami/", f"{base}/api/users/"
        health = f"{base}/api/health/"

        step("Call the protected views through real HTTP")
        show("with the token", whoami, raw)
        show("with the token (scoped)", users, raw)
        show("without a token", whoami, None)

        step("Call the Django REST framework view (the quick start's HealthView)")
        show("with the token (DRF)", health, raw)
        show("without a token (DRF)", health, None)

        step("Rotate the token: same prefix and owner, new secret")
        new_raw = rotate_token(token, actor=admin)
        print(f"new raw token: {new_raw}")
        show("old token", whoami, raw)
        show("new token", whoami, new_raw)

        step("Revoke the token")
        revoke_token(token, actor=admin)
        show("revoked token", whoami, new_raw)
        show("revoked token (DRF)", health, new_raw)

        step("A signed-in user manages her own tokens: the API keys endpoints (/api/tokens/)")
        prepare_user()
        self_service_walkthrough(base, lambda label, raw: show(label, users, raw))

    step("The audit trail of this token (TokenAuditLog rows)")
    print_audit_trail(token)
    print("\nTo click around the admin: make serve (or this script with --serve).")


def serve(address: str) -> None:
    admin = prepare()
    print(f"Admin:    http://{address}/admin/")
    print(f"Log in:   {admin.get_username()} / {ADMIN_PASSWORD}")
    print(f"API:      http://{address}/api/whoami/ and /api/users/ (header X-Keysmith-Token)")
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, str(MANAGE), "runserver", address])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true", help="serve the project for the admin")
    parser.add_argument("--address", default=SERVE_ADDRESS, help="with --serve: host:port")
    options = parser.parse_args()
    if options.serve:
        serve(options.address)
    else:
        walkthrough()


if __name__ == "__main__":
    main()
