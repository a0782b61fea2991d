"""Reading a long listing newest first, a page at a time, with the listing flags every
listing command takes (``--limit``, ``--all``, ``--json``, ``--jsonl``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Q, QuerySet

from keysmith.core.arguments import positive
from keysmith.core.listing import (
    DEFAULT_LIMIT,
    Limited,
    keyset_rows,
    listing_text,
    more_note,
)

# Rows per query; the tests make it small to walk several pages.
PAGE_SIZE = 500


def add_listing_arguments(parser: CommandParser, default_limit: int = DEFAULT_LIMIT) -> None:
    amount = parser.add_mutually_exclusive_group()
    amount.add_argument(
        "--limit", type=positive, default=default_limit, help=f"At most N ({default_limit})."
    )
    amount.add_argument("--all", action="store_true", help="Every one, read a page at a time.")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="Print a JSON list for scripts.")
    output.add_argument(
        "--jsonl", action="store_true", help="Print one JSON object per line, as they are read."
    )


def newest_first(rows: QuerySet[Any], count: int | None) -> Iterator[Any]:
    """``count`` rows (every one with ``None``) newest first by ``(created_at, pk)``, in
    keyset pages read from the ``created_at`` index."""
    ordered = rows.order_by("-created_at", "-pk")

    def fetch(last: Any, size: int) -> list[Any]:
        page = ordered
        if last is not None:
            # The redundant created_at bound is the index's range; the OR breaks ties.
            page = page.filter(created_at__lte=last.created_at).filter(
                Q(created_at__lt=last.created_at) | Q(pk__lt=last.pk)
            )
        return list(page[:size])

    return keyset_rows(fetch, count, PAGE_SIZE)


def print_listing(
    command: BaseCommand,
    options: dict[str, Any],
    rows: QuerySet[Any],
    data: Callable[[Any], Any],
    text: Callable[[list[Any]], str],
) -> None:
    """Print ``rows`` as ``options`` ask: ``text`` of each page of rows (the default), a JSON
    list or JSON lines of ``data(row)``; a note on stderr when the limit cut the listing."""
    limit = None if options["all"] else options["limit"]
    shown = Limited(newest_first(rows, None if limit is None else limit + 1), limit)
    output = listing_text(
        shown, data, text, jsonl=options["jsonl"], as_json=options["json"], page_size=PAGE_SIZE
    )
    for piece in output:
        command.stdout.write(piece, ending="")
    if shown.more:
        command.stderr.write(more_note(limit), style_func=str)
