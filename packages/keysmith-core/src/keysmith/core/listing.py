"""Listings for operators' terminals and scripts: aligned text for people, JSON for scripts.

Shared by every command-line tool (the ``keysmith`` command, Django's management commands).
Stored text is escaped before it reaches the terminal (``keysmith.core.untrusted.escape``):
audit rows hold what clients sent, and a control character could clear or retitle it. JSON
output escapes it by itself."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from keysmith.core.untrusted import escape

__all__ = [
    "DEFAULT_LIMIT",
    "PAGE_SIZE",
    "Limited",
    "dumps",
    "dumps_line",
    "event_data",
    "event_table",
    "in_pages",
    "json_array",
    "keyset_rows",
    "listing_text",
    "more_note",
    "table",
    "when",
]

T = TypeVar("T")

# What a listing command prints unless told --limit N or --all: a page, not the whole table.
DEFAULT_LIMIT = 100


def when(value: datetime | None, empty: str = "-") -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S UTC") if value is not None else empty


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    rows = [[escape(cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join(line(cells) for cells in (headers, *rows))


def event_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": row["created_at"].isoformat(),
        "action": row["action"],
        "token_prefix": row["token_prefix"],
        "status_code": row["status_code"],
        "method": row["method"],
        "path": row["path"],
        "ip_address": row["ip_address"],
        "user_agent": row["user_agent"],
        "extra": row["extra"],
    }


def event_table(rows: Sequence[Mapping[str, Any]]) -> str:
    if not rows:
        return "No audit events."
    lines = [
        (
            when(row["created_at"]),
            row["action"],
            row["token_prefix"] or "-",
            str(row["status_code"] or "-"),
            " ".join(part for part in (row["method"], row["path"]) if part) or "-",
            row["ip_address"] or "-",
            json.dumps(row["extra"], sort_keys=True) if row["extra"] else "",
        )
        for row in rows
    ]
    return table(("TIME", "ACTION", "TOKEN", "STATUS", "REQUEST", "CLIENT", "DETAILS"), lines)


def dumps(data: Any) -> str:
    # ensure_ascii (the default) writes every control character as a \u escape.
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=True)


def dumps_line(data: Any) -> str:
    """One JSON document on one line (``--jsonl``: a line per token or event)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=True, separators=(",", ":"))


def json_array(items: Iterable[Any]) -> Iterator[str]:
    """``dumps(list(items))``, in pieces as the items come: a long listing is never held whole."""
    first = True
    for item in items:
        body = dumps(item).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + body
        first = False
    yield "[]" if first else "\n]"


# Rows read per query by a listing that pages through a table.
PAGE_SIZE = 500


def keyset_rows(
    fetch: Callable[[T | None, int], Sequence[T]], count: int | None, page_size: int = PAGE_SIZE
) -> Iterator[T]:
    """``count`` rows (every one with ``None``), read a page at a time: ``fetch(last, size)``
    returns the ``size`` rows that follow ``last`` (the first page with ``None``).

    Keyset pages, each starting where the one before ended: page 1000 costs what page 1
    does, and memory holds one page."""
    last: T | None = None
    while count is None or count > 0:
        size = page_size if count is None else min(page_size, count)
        page = fetch(last, size)
        yield from page
        if len(page) < size:
            return
        last = page[-1]
        if count is not None:
            count -= size


def in_pages(rows: Iterable[T], page_size: int = PAGE_SIZE) -> Iterator[list[T]]:
    """``rows`` in lists of ``page_size`` (the first one empty when there are none): a table
    is aligned a page at a time."""
    page: list[T] = []
    started = False
    for row in rows:
        page.append(row)
        if len(page) == page_size:
            yield page
            page, started = [], True
    if page or not started:
        yield page


class Limited(Generic[T]):
    """The first ``limit`` items (all with ``None``); ``more`` tells, once they are read,
    whether the source held another (so read ``limit + 1`` from it)."""

    def __init__(self, items: Iterable[T], limit: int | None) -> None:
        self.items, self.limit, self.more = items, limit, False

    def __iter__(self) -> Iterator[T]:
        for count, item in enumerate(self.items):
            if self.limit is not None and count >= self.limit:
                self.more = True
                return
            yield item


def listing_text(
    rows: Iterable[T],
    data: Callable[[T], Any],
    text: Callable[[list[T]], str],
    *,
    jsonl: bool,
    as_json: bool,
    page_size: int = PAGE_SIZE,
) -> Iterator[str]:
    """A listing's output in pieces, each written as the rows are read: a JSON line of
    ``data(row)`` per row (``jsonl``), a JSON list of them (``as_json``), or else ``text`` of
    each page of rows (a table aligned a page at a time)."""
    if jsonl:
        for row in rows:
            yield dumps_line(data(row)) + "\n"
    elif as_json:
        yield from json_array(data(row) for row in rows)
        yield "\n"
    else:
        for page in in_pages(rows, page_size):
            yield text(page) + "\n"


def more_note(limit: int | None) -> str:
    """The stderr note under a listing its limit cut short."""
    return f"(the first {limit} shown; --limit N for more, --all for every one)"
