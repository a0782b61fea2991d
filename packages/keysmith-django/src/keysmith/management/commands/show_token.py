"""``manage.py show_token PREFIX [--json]``: everything about one token but its hash."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keysmith.core.listing import dumps
from keysmith.management.lookup import token_with_prefix
from keysmith.management.render import token_data, token_details


class Command(BaseCommand):
    help = "Show one token: state, owner, scopes, expiry and last use (never its hash)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The token's prefix, e.g. tok_ab12CD34.")
        parser.add_argument("--json", action="store_true", help="Print JSON for scripts.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = token_data(token_with_prefix(options["prefix"]))
        self.stdout.write(dumps(data) if options["json"] else token_details(data))
