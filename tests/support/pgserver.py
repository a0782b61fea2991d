"""A throwaway PostgreSQL server for the test suite, started with initdb and pg_ctl."""

from __future__ import annotations

import dataclasses
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

SUPERUSER = "postgres"
DATABASE = "keysmith_test"
# PostgreSQL refuses to run as root, so as root the server runs as this system user
# (the distribution packages create it).
SYSTEM_USER = "postgres"
PACKAGED_BINDIRS = "/usr/lib/postgresql/*/bin"
REQUIRED_PROGRAMS = ("initdb", "pg_ctl", "createdb")
START_ATTEMPTS = 3
# Waits for EOF on stdin, which comes when the test process closes the pipe or dies (even by
# SIGKILL, when no teardown runs), then stops the server and deletes its files.
_WATCHDOG = 'cat >/dev/null; "$0" stop -m immediate -D "$1" >/dev/null 2>&1; rm -rf "$2"'

# Durability buys nothing for a server that lives as long as one test run.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


@dataclasses.dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    socket_dir: Path
    user: str
    dbname: str

    @property
    def dsn(self) -> str:
        return self.url()

    def url(self, driver: str | None = None, *, dbname: str | None = None) -> str:
        """`postgresql://...`, or `postgresql+<driver>://...` for SQLAlchemy."""
        scheme = "postgresql" if driver is None else f"postgresql+{driver}"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{dbname or self.dbname}"


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL cannot be started here (no binaries, or no user to run it as)."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip the test; in CI fail instead, so PostgreSQL suites never silently stop running."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def _version_key(bindir: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/<version>/bin; compare numerically so 15 sorts above 9.6.
    return tuple(int(part) for part in re.findall(r"\d+", Path(bindir).parent.name))


def find_bindir(search_path: str | None = None, packaged: str = PACKAGED_BINDIRS) -> Path | None:
    """The folder holding initdb, pg_ctl and createdb: PATH first, then the newest packaged one."""
    path = os.environ.get("PATH", "") if search_path is None else search_path
    candidates: list[Path] = []
    for program in REQUIRED_PROGRAMS[:2]:
        found = shutil.which(program, path=path)
        if found:
            # PATH often holds symlinks into the real folder, next to the matching server.
            candidates.append(Path(found).resolve().parent)
    candidates += [Path(d) for d in sorted(glob.glob(packaged), key=_version_key, reverse=True)]
    for bindir in candidates:
        if all(os.access(bindir / program, os.X_OK) for program in REQUIRED_PROGRAMS):
            return bindir
    return None


class _Cluster:
    """One data directory and the server running on it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.account = self._server_account()
        self.base = Path(tempfile.mkdtemp(prefix="keysmith-pg-"))
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        if self.account is not None:
            os.chown(self.base, self.account.pw_uid, self.account.pw_gid)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env.update(LC_ALL="C", LANG="C")
        self.watchdog = subprocess.Popen(
            ["/bin/sh", "-c", _WATCHDOG, str(bindir / "pg_ctl"), str(self.data), str(self.base)],
            stdin=subprocess.PIPE,
            cwd=self.base,
            env=self.env,
            # Its own session, so Ctrl-C reaches the tests (and their teardown) but not it.
            start_new_session=True,
            **self._as_account(),
        )

    @staticmethod
    def _server_account() -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            raise PostgresUnavailableError(
                f"running as root and there is no {SYSTEM_USER!r} system user to run PostgreSQL as"
            ) from None

    def _as_account(self) -> dict[str, Any]:
        if self.account is None:
            return {}
        return {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bindir / program), *args],
            cwd=self.base,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            **self._as_account(),
        )

    def check(self, program: str, *args: str) -> None:
        result = self.run(program, *args)
        if result.returncode != 0:
            raise RuntimeError(
                f"{program} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def initdb(self) -> None:
        self.check(
            "initdb",
            *("-D", str(self.data), "-U", SUPERUSER, "--auth=trust"),
            *("--encoding=UTF8", "--locale=C", "--no-sync"),
        )
        settings = {**SERVER_SETTINGS, "unix_socket_directories": f"'{self.base}'"}
        with (self.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("".join(f"{key} = {value}\n" for key, value in settings.items()))

    def start(self) -> int:
        """Start on a free loopback port, retrying if another process takes it first."""
        for _ in range(START_ATTEMPTS):
            port = _free_port()
            result = self.run(
                "pg_ctl", "start", "-w", "-t", "60",
                *("-D", str(self.data), "-l", str(self.log), "-o", f"-p {port}"),
            )  # fmt: skip
            if result.returncode == 0:
                return port
        raise RuntimeError(f"PostgreSQL did not start; its log says:\n{self._log_text()}")

    def createdb(self, port: int, name: str) -> None:
        self.check("createdb", "-h", str(self.base), "-p", str(port), "-U", SUPERUSER, name)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))

    def remove(self) -> None:
        if self.watchdog.stdin is not None:
            self.watchdog.stdin.close()
        self.watchdog.wait(timeout=60)
        shutil.rmtree(self.base, ignore_errors=True)

    def _log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log written)"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_postgres(bindir: Path, dbname: str = DATABASE) -> Iterator[PostgresServer]:
    """Run a server for the duration of the generator; stopped and deleted afterwards."""
    cluster = _Cluster(bindir)
    try:
        cluster.initdb()
        port = cluster.start()
        cluster.createdb(port, dbname)
        yield PostgresServer(
            host="127.0.0.1",
            port=port,
            socket_dir=cluster.base,
            user=SUPERUSER,
            dbname=dbname,
        )
    finally:
        # Also after a failed start: a server that came up too late still holds the data dir.
        cluster.stop()
        cluster.remove()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server started for this test session, with an empty database."""
    bindir = find_bindir()
    if bindir is None:
        unavailable(
            f"PostgreSQL binaries were not found ({', '.join(REQUIRED_PROGRAMS)} on PATH "
            f"or in {PACKAGED_BINDIRS}); install PostgreSQL to run these tests"
        )
    try:
        yield from start_postgres(bindir)
    except PostgresUnavailableError as error:
        unavailable(str(error))
