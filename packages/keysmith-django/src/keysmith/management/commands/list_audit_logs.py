"""``manage.py list_audit_logs``: audit rows, newest event first, with filters.

20 by default (``--limit N``, ``--all``), read a page at a time; ``--jsonl`` prints one JSON
object per line as the rows are read."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keysmith.core.arguments import since
from keysmith.core.format import prefix_argument
from keysmith.core.listing import event_data, event_table
from keysmith.django.token_rows import rows_of_token
from keysmith.management.pages import add_listing_arguments, print_listing
from keysmith.models.utils import get_audit_log_model


def _prefix(text: str) -> str:
    try:
        return prefix_argument(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def row(entry: Any) -> dict[str, Any]:
    return {
        "id": entry.id,
        "created_at": entry.created_at,
        "action": entry.action,
        "token_prefix": entry.token.prefix if entry.token is not None else None,
        "status_code": entry.status_code,
        "method": entry.method,
        "path": entry.path,
        "ip_address": entry.ip_address,
        "user_agent": entry.user_agent,
        "extra": entry.extra,
    }


class Command(BaseCommand):
    help = "List audit events, newest first (by the time of the event)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--token", type=_prefix, metavar="PREFIX", help="Only this token.")
        parser.add_argument("--action", help="Only this action (auth_failed, created, ...).")
        parser.add_argument("--status", type=int, help="Only this HTTP status code.")
        parser.add_argument("--ip", metavar="ADDRESS", help="Only this client address.")
        parser.add_argument("--since", type=since, help="A duration ago (1h, 7d) or a date.")
        add_listing_arguments(parser, default_limit=20)

    def handle(self, *args: Any, **options: Any) -> None:
        rows = get_audit_log_model()._default_manager.select_related("token")
        if options["token"] is not None:
            rows = rows_of_token(rows, options["token"])
        if options["action"] is not None:
            rows = rows.filter(action=options["action"])
        if options["status"] is not None:
            rows = rows.filter(status_code=options["status"])
        if options["ip"] is not None:
            rows = rows.filter(ip_address=options["ip"])
        moment = options["since"]
        if isinstance(moment, timedelta):
            moment = timezone.now() - moment
        if moment is not None:
            rows = rows.filter(created_at__gte=moment)
        # The event's time, the id breaking ties: buffered rows are numbered after later ones.
        print_listing(
            self,
            options,
            rows,
            lambda entry: event_data(row(entry)),
            lambda entries: event_table([row(entry) for entry in entries]),
        )
