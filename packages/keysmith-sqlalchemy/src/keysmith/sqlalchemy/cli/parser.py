"""The ``keysmith`` argument parser: commands, options, and the value types they accept."""

from __future__ import annotations

import argparse
import re
from datetime import datetime, timedelta
from typing import NoReturn

from keysmith.core.arguments import duration, duration_or_moment, positive, since
from keysmith.core.format import prefix_argument
from keysmith.core.listing import DEFAULT_LIMIT
from keysmith.core.pruning import DEFAULT_BATCH_SIZE
from keysmith.sqlalchemy.engines import DEFAULT_URL, URL_VARIABLE

NEVER = "never"
_PREFIX = re.compile(r"[A-Za-z0-9_]{1,255}", re.ASCII)


class OneLineParser(argparse.ArgumentParser):
    """Reports a usage error as one line on stderr (exit 2), not the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def expiry(text: str) -> timedelta | datetime | str:
    """``never``, a duration from now, or a date/time."""
    if text.strip().lower() in {NEVER, "none"}:
        return NEVER
    return duration_or_moment(
        text,
        f"not an expiry: {text!r} (use a duration such as 90d, a date such as 2030-01-31, "
        "or 'never')",
    )


def prefix(text: str) -> str:
    """A token prefix. A pasted raw token is refused without echoing it: it holds the secret."""
    try:
        prefix_argument(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if not _PREFIX.fullmatch(text):
        raise argparse.ArgumentTypeError(f"not a token prefix: {text!r}")
    return text


def days(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a number of days (0 or more): {text!r}")
    return int(text)


def _listing_options(command: OneLineParser, default_limit: int, rows: str) -> None:
    amount = command.add_mutually_exclusive_group()
    amount.add_argument(
        "--limit",
        type=positive,
        default=default_limit,
        help=f"at most this many {rows} (default {default_limit})",
    )
    amount.add_argument(
        "--all", action="store_true", help=f"every one of the {rows}, read a page at a time"
    )
    command.add_argument(
        "--jsonl", action="store_true", help="print one JSON object per line, as they are read"
    )


def _common(database_option: bool) -> OneLineParser:
    # Accepted before or after the command; SUPPRESS keeps a command's default from
    # overwriting a value given before it.
    common = OneLineParser(add_help=False)
    if database_option:
        common.add_argument(
            "--database-url",
            metavar="URL",
            default=argparse.SUPPRESS,
            help=f"database URL (default: ${URL_VARIABLE}, else {DEFAULT_URL})",
        )
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts"
    )
    return common


def _token_commands(
    commands: argparse._SubParsersAction[OneLineParser], common: list[OneLineParser]
) -> None:
    create = commands.add_parser("create", parents=common, help="create a token; prints it once")
    create.add_argument("--name", required=True, help="what the token is for")
    create.add_argument("--description", default="", help="a longer note")
    create.add_argument(
        "--scope", dest="scopes", action="append", metavar="SCOPE", help="grant a scope (repeat)"
    )
    create.add_argument(
        "--expires", type=expiry, help="90d, 12h, 2030-01-31, or never (default: the policy's)"
    )
    create.add_argument("--user", metavar="REF", help="owner: the user id in your application")
    create.add_argument("--created-by", metavar="REF", help="who asked for it, for the audit trail")
    create.add_argument(
        "--type",
        dest="token_type",
        choices=("user", "system"),
        default="user",
        help="default: user",
    )

    listing = commands.add_parser("list", parents=common, help="list tokens, newest first")
    listing.add_argument("--active", action="store_true", help="only tokens that can authenticate")
    listing.add_argument("--user", metavar="REF", help="only tokens owned by this user")
    _listing_options(listing, DEFAULT_LIMIT, "tokens")

    show = commands.add_parser("show", parents=common, help="show one token")
    show.add_argument("prefix", type=prefix)

    rotate = commands.add_parser("rotate", parents=common, help="new secret, same token; prints it")
    rotate.add_argument("prefix", type=prefix)
    rotate.add_argument(
        "--grace", type=duration, help="keep accepting the old secret this long (e.g. 10m)"
    )
    for name, summary in (("revoke", "revoke a token"), ("purge", "revoke and mark purged")):
        command = commands.add_parser(name, parents=common, help=summary)
        command.add_argument("prefix", type=prefix)
    for command in (rotate, commands.choices["revoke"], commands.choices["purge"]):
        command.add_argument("--actor", metavar="REF", help="who did it, for the audit trail")


def build_parser(prog: str = "keysmith", *, database_option: bool = True) -> OneLineParser:
    """The commands; without ``database_option`` (an application names the database) there is
    no ``--database-url``."""
    common = [_common(database_option)]
    parser = OneLineParser(
        prog=prog,
        parents=common,
        description="Manage keysmith API tokens in a SQL database.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("init", parents=common, help="create the keysmith tables")
    _token_commands(commands, common)
    audit = commands.add_parser("audit", parents=common, help="recent audit events, newest first")
    audit.add_argument("--prefix", type=prefix, help="only events of this token")
    audit.add_argument("--action", help="only this action (auth_failed, created, revoked, ...)")
    audit.add_argument("--since", type=since, help="a duration ago (1h, 7d) or a date/time")
    _listing_options(audit, 20, "events")
    prune = commands.add_parser(
        "prune-audit", parents=common, help="delete audit events older than N days, in batches"
    )
    prune.add_argument(
        "--days", type=days, required=True, help="delete events older than this many days"
    )
    prune.add_argument(
        "--batch-size",
        type=positive,
        default=DEFAULT_BATCH_SIZE,
        help=f"events deleted per transaction (default {DEFAULT_BATCH_SIZE})",
    )
    prune.add_argument("--dry-run", action="store_true", help="count what would go; delete nothing")
    return parser
