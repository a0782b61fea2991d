"""``manage.py revoke_token PREFIX [--purge]``: stop a token from authenticating, for good."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from keysmith.management.lookup import token_with_prefix
from keysmith.services.tokens import purge_token, revoke_token


class Command(BaseCommand):
    help = "Revoke a token (with --purge: also mark it purged)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="The token's prefix, e.g. tok_ab12CD34.")
        parser.add_argument("--purge", action="store_true", help="Also mark the token purged.")

    def handle(self, *args: Any, **options: Any) -> None:
        token = token_with_prefix(options["prefix"])
        was = (token.revoked, token.purged)
        if options["purge"]:
            purge_token(token)
        else:
            revoke_token(token)
        changed = (token.revoked, token.purged) != was
        verb = "Purged" if options["purge"] else "Revoked"
        self.stdout.write(
            f"{verb} token {token.prefix}."
            if changed
            else f"Token {token.prefix} was already {verb.lower()}."
        )
