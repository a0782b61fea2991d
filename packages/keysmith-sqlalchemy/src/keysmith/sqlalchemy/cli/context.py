"""What every command works with: the database, the core service, and where output goes."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Engine

from keysmith.core.audit import MemoryAuditSink, RequestContext
from keysmith.core.clock import Clock, FrozenClock, SystemClock
from keysmith.core.policy import TokenPolicy
from keysmith.core.service import TokenService
from keysmith.sqlalchemy import __version__
from keysmith.sqlalchemy.audit import SQLAuditSink
from keysmith.sqlalchemy.cli.render import dumps
from keysmith.sqlalchemy.engines import redacted, sqlite_file
from keysmith.sqlalchemy.records import SQLToken
from keysmith.sqlalchemy.schema import missing_tables
from keysmith.sqlalchemy.settings import policy_from_env
from keysmith.sqlalchemy.store import SQLTokenStore


class CommandError(Exception):
    """A failure the user can act on: printed as one line, exit status 1."""


@dataclass(frozen=True)
class Target:
    """What an application hands the commands instead of ``--database-url`` and the
    ``KEYSMITH_*`` variables (``flask keysmith``): its engine, which it owns and disposes of,
    its token policy, and whether it audits."""

    engine: Engine
    policy: TokenPolicy
    audit: bool = True

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)


@dataclass
class Context:
    url: str
    engine: Engine
    command: str
    as_json: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    # How the command is called, for messages and the audit trail ("keysmith", "flask keysmith").
    prog: str = "keysmith"
    # Read when a command first needs it: a bad variable fails only the commands that use it.
    policy: Callable[[], TokenPolicy] = policy_from_env
    audit: bool = True
    # One command happens at one moment: "--expires 30d" is exactly 30 days after created_at.
    clock: Clock = field(default_factory=lambda: FrozenClock(SystemClock().now()))
    # The command's audit events, held until its output is printed (see ``write_audit``).
    held: MemoryAuditSink = field(default_factory=MemoryAuditSink)

    @property
    def database(self) -> str:
        """The database URL as given (password hidden), for messages; a SQLite file by the
        absolute path the engine resolved, so the app can be pointed at the same file."""
        if sqlite_file(self.engine.url) is not None:
            return redacted(self.engine.url)
        return redacted(self.url)

    @cached_property
    def store(self) -> SQLTokenStore:
        return SQLTokenStore(self.engine)

    @property
    def request(self) -> RequestContext:
        """How CLI operations appear in the audit trail."""
        return RequestContext(
            path=f"{self.prog} {self.command}", method="CLI", user_agent=f"keysmith/{__version__}"
        )

    def service(self, **policy_overrides: Any) -> TokenService[SQLToken]:
        policy = self.policy()
        # No secret cache: a CLI process authenticates nothing.
        return TokenService(
            self.store,
            policy=dataclasses.replace(policy, **policy_overrides) if policy_overrides else policy,
            sink=self.held,
            clock=self.clock,
            cache_size=0,
        )

    def require_tables(self) -> None:
        url = self.engine.url
        database = url.database or ""
        # Connecting would silently create an empty file at a mistyped path.
        in_file = url.get_backend_name() == "sqlite" and database not in {"", ":memory:"}
        if in_file and not Path(database).exists():
            raise CommandError(
                f"no database file at {database}; run `{self.prog} init` to create it"
            )
        missing = missing_tables(self.engine)
        if missing:
            raise CommandError(
                f"the database {self.database} has no keysmith tables "
                f"({', '.join(missing)} missing); run `{self.prog} init` first"
            )

    def token(self, prefix: str) -> SQLToken:
        record = self.store.get_by_prefix(prefix)
        if record is None:
            raise CommandError(f"no token with prefix {prefix}")
        return record

    def warn(self, text: str) -> None:
        """A warning on stderr, apart from the output (which stays valid JSON with --json)."""
        print(f"{self.prog}: warning: {text}", file=sys.stderr)

    def write_audit(self) -> None:
        """Write the events the command's changes made, after its output; raises on failure.

        The raw token a command prints reaches the operator as soon as the change is committed,
        even if the audit table is locked then (the write gives up after its timeout) or the
        process is killed while it waits.
        """
        events, self.held.events = self.held.events, []
        if self.audit:
            SQLAuditSink(self.engine).write_many(events)

    def print(self, text: str, data: Any) -> None:
        """``text`` for people, or ``data`` as JSON with --json; flushed at once."""
        print(dumps(data) if self.as_json else text, file=self.out, flush=True)
