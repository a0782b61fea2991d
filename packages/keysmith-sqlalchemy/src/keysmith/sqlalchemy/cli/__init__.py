"""The ``keysmith`` command-line tool: token administration against a database URL.

Exit status: 0 on success, 1 when a command fails (unknown prefix, database error, ...), 2 for
a usage or configuration error (bad option, bad URL). Errors are one line on stderr. A change
whose audit event cannot be written (a locked audit table) still succeeds, with a warning.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from keysmith.core.errors import ConfigurationError, KeysmithError
from keysmith.sqlalchemy.cli.commands import COMMANDS
from keysmith.sqlalchemy.cli.context import CommandError, Context, Target
from keysmith.sqlalchemy.cli.parser import build_parser
from keysmith.sqlalchemy.engines import database_url, make_engine

__all__ = ["Target", "main"]


def _database_message(error: SQLAlchemyError) -> str:
    # The driver's own first line says what went wrong; SQLAlchemy's text adds the statement.
    detail = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lines = str(detail).strip().splitlines()
    return "database error: " + (lines[0] if lines else type(detail).__name__)


def _write_audit(context: Context) -> None:
    try:
        context.write_audit()
    except SQLAlchemyError as error:
        # The change is committed and its output printed: the command has done its work.
        context.warn(
            "the change is saved, but its audit event could not be written: "
            + _database_message(error)
        )


def _execute(context: Context, args: argparse.Namespace) -> None:
    try:
        if args.command != "init":
            context.require_tables()
        COMMANDS[args.command](context, args)
    finally:
        _write_audit(context)


def _run(args: argparse.Namespace, out: TextIO, prog: str, target: Target | None) -> None:
    as_json = getattr(args, "json", False)
    if target is not None:
        # The application's engine: it stays open, the application disposes of it.
        policy = target.policy
        context = Context(
            target.url, target.engine, args.command, as_json, out, prog, lambda: policy,
            target.audit,
        )  # fmt: skip
        _execute(context, args)
        return
    url = database_url(getattr(args, "database_url", None))
    engine = make_engine(url)
    try:
        _execute(Context(url, engine, args.command, as_json, out, prog), args)
    finally:
        engine.dispose()


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    prog: str = "keysmith",
    target: Target | None = None,
) -> int:
    """Run one command; returns the exit status (the console script exits with it).

    An application's own command (``flask keysmith``) passes its name as ``prog`` and its
    database and policy as ``target``; the commands then take no ``--database-url``.
    """
    try:
        args = build_parser(prog, database_option=target is None).parse_args(argv)
    except SystemExit as stop:
        # argparse has printed the help, or the one-line usage error.
        return stop.code if isinstance(stop.code, int) else 1
    try:
        _run(args, out or sys.stdout, prog, target)
    except ConfigurationError as error:
        message, status = str(error), 2
    except (CommandError, KeysmithError, ValueError) as error:
        # ValueError: the core's checks of names and types of tokens.
        message, status = str(error), 1
    except SQLAlchemyError as error:
        message, status = _database_message(error), 1
    except KeyboardInterrupt:
        message, status = "interrupted", 130
    else:
        return 0
    print(f"{prog}: error: {message}", file=sys.stderr)
    return status
