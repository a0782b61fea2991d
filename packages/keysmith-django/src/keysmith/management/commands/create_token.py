"""``manage.py create_token NAME``: issue a token and print the raw token, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keysmith.core import clock
from keysmith.core.untrusted import escape
from keysmith.management.audit_after import audit_after_output
from keysmith.management.lookup import user_named
from keysmith.management.scopes import permissions_named
from keysmith.services.tokens import create_token


def _moment(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--expires-at {value!r} is not an ISO 8601 date and time.") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Create a token and print its raw value once; only its hash is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the token (at most 128 characters).")
        parser.add_argument("--user", help="Username of the token's owner.")
        parser.add_argument("--created-by", help="Username recorded as the creator.")
        parser.add_argument("--description", default="")
        parser.add_argument(
            "--scope",
            action="append",
            dest="scopes",
            metavar="CODENAME",
            help="A permission codename (or app_label.codename); repeat for several.",
        )
        parser.add_argument("--system", action="store_true", help="A system token (no user).")
        expiry = parser.add_mutually_exclusive_group()
        expiry.add_argument("--expires-in-days", type=int, metavar="N")
        expiry.add_argument("--expires-at", metavar="ISO-8601")
        parser.add_argument(
            "--quiet", action="store_true", help="Print only the raw token (for scripts)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expires_at = None
        if options["expires_in_days"] is not None:
            if options["expires_in_days"] < 1:
                raise CommandError("--expires-in-days must be at least 1.")
            expires_at = clock.now() + timedelta(days=options["expires_in_days"])
        elif options["expires_at"] is not None:
            expires_at = _moment(options["expires_at"])
        with audit_after_output(self):
            try:
                token, raw = create_token(
                    name=options["name"],
                    description=options["description"],
                    user=user_named(options["user"]),
                    created_by=user_named(options["created_by"]),
                    scopes=(
                        None if options["scopes"] is None else permissions_named(options["scopes"])
                    ),
                    expires_at=expires_at,
                    token_type="system" if options["system"] else None,
                )
            except (ValueError, TypeError) as error:
                raise CommandError(str(error)) from None
            if not options["quiet"]:
                expiry = token.expires_at.isoformat() if token.expires_at else "never"
                name = escape(token.name)
                self.stdout.write(f"Created token {token.prefix} ({name}), expires {expiry}.")
                self.stdout.write("Raw token, shown only now:")
            self.stdout.write(raw)
            self.stdout.flush()
