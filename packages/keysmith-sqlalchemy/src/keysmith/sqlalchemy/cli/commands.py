"""The ``keysmith`` commands. Every lifecycle change goes through the core ``TokenService``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from keysmith.core.errors import TokenChanged, TokenStateError
from keysmith.core.listing import (
    PAGE_SIZE,
    Limited,
    keyset_rows,
    listing_text,
    more_note,
)
from keysmith.core.pruning import Progress, batches_for, progress_line, prune_in_batches
from keysmith.core.untrusted import escape
from keysmith.sqlalchemy.cli import render
from keysmith.sqlalchemy.cli.context import CommandError, Context
from keysmith.sqlalchemy.cli.parser import NEVER
from keysmith.sqlalchemy.engines import sqlite_file
from keysmith.sqlalchemy.records import SQLToken
from keysmith.sqlalchemy.schema import create_all
from keysmith.sqlalchemy.statements import (
    audit_listing,
    audit_older_count,
    audit_prune_batch,
)


def init(context: Context, args: argparse.Namespace) -> None:
    path = sqlite_file(context.engine.url)
    if path is not None and path.exists() and path.stat().st_mode & 0o077:
        # An existing file keeps its mode (it is the operator's), but it should not stay so.
        mode = f"{path.stat().st_mode & 0o777:04o}"
        context.warn(f"{path} is open to other users (mode {mode}); run: chmod 600 {path}")
    created = create_all(context.engine)
    if created:
        text = f"Created {', '.join(created)} in {context.database}."
    else:
        text = f"The keysmith tables already exist in {context.database}."
    context.print(text, {"database": context.database, "created": created})


def _issued(context: Context, record: SQLToken, raw: str, headline: str) -> None:
    text = f"{headline}\nStore it now: it cannot be shown again.\n\n{raw}"
    context.print(text, {"token": raw, **render.token_data(record, context.clock.now())})


def create(context: Context, args: argparse.Namespace) -> None:
    overrides: dict[str, Any] = {}
    expires_at: datetime | None = None
    if args.expires == NEVER:
        overrides["default_lifetime"] = None
    elif isinstance(args.expires, timedelta):
        expires_at = context.clock.now() + args.expires
    elif isinstance(args.expires, datetime):
        expires_at = args.expires
        if expires_at <= context.clock.now():
            raise CommandError(f"--expires {expires_at.isoformat()} is in the past")
    record, raw = context.service(**overrides).create(
        name=args.name,
        description=args.description,
        user=args.user,
        created_by=args.created_by,
        scopes=args.scopes,
        expires_at=expires_at,
        token_type=args.token_type,
        context=context.request,
    )
    expiry = render.when(record.expires_at, "never")
    headline = f"Created token {record.prefix} ({escape(record.name)}), expires {expiry}."
    _issued(context, record, raw, headline)


def _print_listing(
    context: Context,
    args: argparse.Namespace,
    fetch: Callable[[Any, int], Sequence[Any]],
    data: Callable[[Any], Any],
    text: Callable[[list[Any]], str],
) -> None:
    """Rows as the listing options ask: a table per page, a JSON list (``--json``) or a JSON
    line per row (``--jsonl``), printed as the pages are read; a note on stderr when the limit
    cut the listing."""
    limit = None if args.all else args.limit
    shown = Limited(keyset_rows(fetch, None if limit is None else limit + 1, PAGE_SIZE), limit)
    output = listing_text(
        shown, data, text, jsonl=args.jsonl, as_json=context.as_json, page_size=PAGE_SIZE
    )
    for piece in output:
        context.out.write(piece)
    context.out.flush()
    if shown.more:
        print(f"{context.prog}: {more_note(limit)}", file=sys.stderr)


def list_tokens(context: Context, args: argparse.Namespace) -> None:
    now = context.clock.now()

    def fetch(last: SQLToken | None, size: int) -> list[SQLToken]:
        return context.store.list_tokens(
            user=args.user, active_at=now if args.active else None, limit=size, after=last
        )

    _print_listing(
        context,
        args,
        fetch,
        lambda record: render.token_data(record, now),
        lambda records: render.token_table(records, now),
    )


def show(context: Context, args: argparse.Namespace) -> None:
    record, now = context.token(args.prefix), context.clock.now()
    context.print(render.token_details(record, now), render.token_data(record, now))


def rotate(context: Context, args: argparse.Namespace) -> None:
    record = context.token(args.prefix)
    try:
        raw = context.service().rotate(
            record, actor=args.actor, context=context.request, grace=args.grace
        )
    except TokenChanged as error:
        raise CommandError(
            f"cannot rotate {record.prefix}: it was rotated, revoked or purged since it was "
            "read; nothing was rotated (run the command again to rotate it)"
        ) from error
    except TokenStateError as error:
        raise CommandError(f"cannot rotate {record.prefix}: it is {record.state()}") from error
    until = f"; the old secret works until {render.when(record.previous_key_expires_at)}"
    grace = until if args.grace else "; the old secret no longer works"
    _issued(context, record, raw, f"Rotated {record.prefix} ({escape(record.name)}){grace}.")


def _revoke(context: Context, args: argparse.Namespace, *, purge: bool) -> None:
    record = context.token(args.prefix)
    service = context.service()
    operation = service.purge if purge else service.revoke
    changed = operation(record, actor=args.actor, context=context.request)
    verb = "Purged" if purge else "Revoked"
    text = f"{verb} {record.prefix}." if changed else f"{record.prefix} was already {verb.lower()}."
    context.print(text, {"prefix": record.prefix, "changed": changed, "state": record.state()})


def revoke(context: Context, args: argparse.Namespace) -> None:
    _revoke(context, args, purge=False)


def purge(context: Context, args: argparse.Namespace) -> None:
    _revoke(context, args, purge=True)


def audit(context: Context, args: argparse.Namespace) -> None:
    since = args.since
    if isinstance(since, timedelta):
        since = context.clock.now() - since

    def fetch(last: dict[str, Any] | None, size: int) -> list[dict[str, Any]]:
        before = (last["created_at"], last["id"]) if last is not None else None
        statement = audit_listing(
            prefix=args.prefix, action=args.action, since=since, limit=size, before=before
        )
        with context.engine.connect() as connection:
            return [dict(row) for row in connection.execute(statement).mappings()]

    _print_listing(context, args, fetch, render.event_data, render.event_table)


def prune_audit(context: Context, args: argparse.Namespace) -> None:
    # One cutoff for every batch: events written meanwhile are newer than it.
    cutoff = context.clock.now() - timedelta(days=args.days)
    size = args.batch_size
    data: dict[str, Any] = {"days": args.days, "cutoff": cutoff.isoformat(), "batch_size": size}
    if args.dry_run:
        with context.engine.connect() as connection:
            count = int(connection.execute(audit_older_count(cutoff)).scalar_one())
        batches = batches_for(count, size)
        text = (
            f"Would delete {count} audit events older than {args.days} days, in {batches} "
            f"batches of at most {size} (dry run: nothing deleted)."
        )
        context.print(text, {**data, "dry_run": True, "deleted": count, "batches": batches})
        return

    def delete_batch(limit: int) -> int:
        with context.engine.begin() as connection:
            return int(connection.execute(audit_prune_batch(cutoff, limit)).rowcount)

    def report(progress: Progress) -> None:
        # On stderr: the output stays one line (or one JSON document).
        print(f"{context.prog}: {progress_line(progress)}", file=sys.stderr, flush=True)

    done = prune_in_batches(delete_batch, size, report)
    text = f"Deleted {done.deleted} audit events older than {args.days} days."
    context.print(
        text, {**data, "dry_run": False, "deleted": done.deleted, "batches": done.batches}
    )


COMMANDS: dict[str, Callable[[Context, argparse.Namespace], None]] = {
    "init": init,
    "create": create,
    "list": list_tokens,
    "show": show,
    "rotate": rotate,
    "revoke": revoke,
    "purge": purge,
    "audit": audit,
    "prune-audit": prune_audit,
}
