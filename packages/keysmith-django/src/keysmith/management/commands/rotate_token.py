"""``manage.py rotate_token PREFIX``: a new secret for the token; prints the new raw token once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keysmith.management.audit_after import audit_after_output
from keysmith.management.lookup import token_with_prefix
from keysmith.services.tokens import rotate_token


class Command(BaseCommand):
    help = "Rotate a token: same prefix, new secret; the old raw token stops working."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The token's prefix, e.g. tok_ab12CD34.")
        parser.add_argument("--quiet", action="store_true", help="Print only the raw token.")

    def handle(self, *args: Any, **options: Any) -> None:
        token = token_with_prefix(options["prefix"])
        with audit_after_output(self):
            try:
                raw = rotate_token(token)
            except ValueError as error:
                raise CommandError(str(error)) from None
            if not options["quiet"]:
                self.stdout.write(f"Rotated token {token.prefix}. New raw token, shown only now:")
            self.stdout.write(raw)
            self.stdout.flush()
