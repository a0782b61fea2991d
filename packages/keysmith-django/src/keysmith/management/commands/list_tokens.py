"""``manage.py list_tokens``: prefix, name, owner, state, expiry and last use; never hashes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keysmith.core.listing import dumps
from keysmith.core.untrusted import escape
from keysmith.management.lookup import state_of, user_named
from keysmith.management.render import token_data
from keysmith.models.utils import get_token_model

COLUMNS = ("PREFIX", "NAME", "OWNER", "STATE", "EXPIRES", "LAST USED")


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


class Command(BaseCommand):
    help = "List tokens: prefix, name, owner, state, expiry and last use."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="Only tokens owned by this username.")
        parser.add_argument(
            "--state", choices=("active", "expired", "revoked", "purged"), help="Only this state."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON for scripts.")

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = get_token_model()._default_manager.select_related("user")
        if options["user"] is not None:
            tokens = tokens.filter(user=user_named(options["user"]))
        if options["json"]:
            data = [token_data(token) for token in tokens]
            state = options["state"]
            self.stdout.write(dumps([d for d in data if not state or d["state"] == state]))
            return
        rows = [
            (
                token.prefix,
                # Names and usernames are free text: escaped, they cannot drive the terminal.
                escape(token.name),
                escape(token.user.get_username()) if token.user else "-",
                state_of(token),
                _when(token.expires_at),
                _when(token.last_used_at),
            )
            for token in tokens
        ]
        if options["state"]:
            rows = [row for row in rows if row[3] == options["state"]]
        widths = [
            max(len(str(cell)) for cell in column) for column in zip(COLUMNS, *rows, strict=True)
        ]
        for row in (COLUMNS, *rows):
            self.stdout.write(
                "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            )
