"""``manage.py list_tokens``: prefix, name, owner, state, expiry and last use; never hashes.

Newest first, 100 by default (``--limit N``, ``--all``), read a page at a time; ``--jsonl``
prints one JSON object per line as the tokens are read."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from keysmith.core.selfservice.shapes import STATE_RULES
from keysmith.core.untrusted import escape
from keysmith.django.states import state_filter
from keysmith.management.lookup import state_of, user_named
from keysmith.management.pages import add_listing_arguments, print_listing
from keysmith.management.render import token_data
from keysmith.models.utils import get_token_model

COLUMNS = ("PREFIX", "NAME", "OWNER", "STATE", "EXPIRES", "LAST USED")


def _when(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def token_table(tokens: list[Any]) -> str:
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
    widths = [max(len(str(cell)) for cell in column) for column in zip(COLUMNS, *rows, strict=True)]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in (COLUMNS, *rows)
    )


class Command(BaseCommand):
    help = "List tokens, newest first: prefix, name, owner, state, expiry and last use."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="Only tokens owned by this username.")
        parser.add_argument("--state", choices=tuple(STATE_RULES), help="Only this state.")
        add_listing_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        tokens = get_token_model()._default_manager.select_related("user", "created_by")
        if options["user"] is not None:
            tokens = tokens.filter(user=user_named(options["user"]))
        if options["state"]:
            tokens = tokens.filter(state_filter(STATE_RULES[options["state"]], timezone.now()))
        if options["json"] or options["jsonl"]:
            tokens = tokens.prefetch_related("scopes__content_type")
        print_listing(self, options, tokens, token_data, token_table)
