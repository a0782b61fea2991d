"""``manage.py prune_audit_logs [--days N]``: delete audit rows older than N days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from keysmith.django.settings import get_settings
from keysmith.models.utils import get_audit_log_model


class Command(BaseCommand):
    help = "Delete keysmith audit log entries older than N days (default AUDIT_LOG_RETENTION_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="Delete entries older than this many days.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = get_settings().AUDIT_LOG_RETENTION_DAYS
        if days is None:
            self.stdout.write(
                self.style.WARNING(
                    "No days specified. Please provide --days or set AUDIT_LOG_RETENTION_DAYS "
                    "in settings."
                )
            )
            return
        if days < 0:
            raise CommandError("--days must be zero or more.")
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _ = get_audit_log_model()._default_manager.filter(created_at__lt=cutoff).delete()
        self.stdout.write(
            self.style.SUCCESS(
                f"Successfully deleted {deleted} audit log entries older than {days} days."
            )
        )
