"""``manage.py list_audit_logs``: audit rows, newest event first, with filters."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keysmith.core.arguments import since
from keysmith.core.format import prefix_argument
from keysmith.core.listing import dumps, event_data, event_table
from keysmith.models.utils import get_audit_log_model


def _prefix(text: str) -> str:
    try:
        return prefix_argument(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return int(text)


class Command(BaseCommand):
    help = "List audit events, newest first (by the time of the event)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--token", type=_prefix, metavar="PREFIX", help="Only this token.")
        parser.add_argument("--action", help="Only this action (auth_failed, created, ...).")
        parser.add_argument("--status", type=int, help="Only this HTTP status code.")
        parser.add_argument("--since", type=since, help="A duration ago (1h, 7d) or a date.")
        parser.add_argument("--limit", type=_positive, default=20, help="At most N (20).")
        parser.add_argument("--json", action="store_true", help="Print JSON for scripts.")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = get_audit_log_model()._default_manager.select_related("token")
        if options["token"] is not None:
            rows = rows.filter(token__prefix=options["token"])
        if options["action"] is not None:
            rows = rows.filter(action=options["action"])
        if options["status"] is not None:
            rows = rows.filter(status_code=options["status"])
        moment = options["since"]
        if isinstance(moment, timedelta):
            moment = timezone.now() - moment
        if moment is not None:
            rows = rows.filter(created_at__gte=moment)
        # The event's time, the id breaking ties: buffered rows are numbered after later ones.
        listed = [
            self.row(entry) for entry in rows.order_by("-created_at", "-id")[: options["limit"]]
        ]
        if options["json"]:
            self.stdout.write(dumps([event_data(row) for row in listed]))
        else:
            self.stdout.write(event_table(listed))

    @staticmethod
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
