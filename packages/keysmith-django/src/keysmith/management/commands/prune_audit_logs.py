"""``manage.py prune_audit_logs [--days N] [--batch-size N] [--dry-run]``: delete audit rows
older than N days, oldest first, in batches of one short transaction each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import router, transaction
from django.utils import timezone

from keysmith.core.arguments import positive
from keysmith.core.pruning import (
    DEFAULT_BATCH_SIZE,
    Progress,
    batches_for,
    progress_line,
    prune_in_batches,
)
from keysmith.django.settings import get_settings
from keysmith.models.utils import get_audit_log_model


class Command(BaseCommand):
    help = "Delete keysmith audit log entries older than N days (default AUDIT_LOG_RETENTION_DAYS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="Delete entries older than this many days.")
        parser.add_argument(
            "--batch-size",
            type=positive,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows deleted per transaction (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; delete nothing."
        )

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
        model = get_audit_log_model()
        # One cutoff for every batch: rows written meanwhile are newer than it.
        old = model._default_manager.filter(created_at__lt=timezone.now() - timedelta(days=days))
        size = options["batch_size"]
        if options["dry_run"]:
            count = old.count()
            self.stdout.write(
                f"Would delete {count} audit log entries older than {days} days, in "
                f"{batches_for(count, size)} batches of at most {size} (dry run: nothing "
                "deleted)."
            )
            return
        using = router.db_for_write(model)

        def delete_batch(limit: int) -> int:
            with transaction.atomic(using=using):
                # The oldest rows first, up to the limit-th oldest one's time, read from the
                # created_at index: a range, not a list of ids, so no database's limit on
                # query parameters caps the batch size (rows sharing that exact time go too).
                oldest = old.order_by("created_at").values_list("created_at", flat=True)
                edge = list(oldest[limit - 1 : limit])
                batch = old.filter(created_at__lte=edge[0]) if edge else old
                _, per_model = batch.delete()
                return int(per_model.get(model._meta.label, 0))

        def report(progress: Progress) -> None:
            if options["verbosity"] >= 1:
                # On stderr: stdout keeps the one summary line scripts read.
                self.stderr.write(progress_line(progress), style_func=str)

        done = prune_in_batches(delete_batch, size, report)
        self.stdout.write(
            self.style.SUCCESS(
                f"Successfully deleted {done.deleted} audit log entries older than {days} days."
            )
        )
