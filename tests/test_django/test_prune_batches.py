"""``prune_audit_logs`` at scale: oldest rows first, one short transaction per batch, progress
on stderr, and a dry run that counts without deleting (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from support.docs_samples import docs_sample

from keysmith.models import TokenAuditLog

pytestmark = pytest.mark.django_db

OLD, RECENT = 25, 3


@pytest.fixture
def rows() -> None:
    now = timezone.now()
    TokenAuditLog.objects.bulk_create(
        [
            TokenAuditLog(
                action="auth_success",
                path=f"/{n}",
                method="GET",
                status_code=200,
                created_at=now - timedelta(days=40 + n),
            )
            for n in range(OLD)
        ]
        + [
            TokenAuditLog(action="auth_success", path="/new", method="GET", status_code=200)
            for _ in range(RECENT)
        ]
    )


def prune(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("prune_audit_logs", "--days", "30", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("rows")
def test_prune_in_batches_deletes_old_rows_one_batch_per_statement() -> None:
    with CaptureQueriesContext(connection) as queries:
        out, err = prune("--batch-size", "10")
    assert "Successfully deleted 25 audit log entries older than 30 days." in out
    assert err.splitlines() == [
        "batch 1: 10 rows deleted",
        "batch 2: 20 rows deleted",
        "batch 3: 25 rows deleted",
    ]
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3
    assert set(TokenAuditLog.objects.values_list("path", flat=True)) == {"/new"}


@pytest.mark.usefixtures("rows")
def test_prune_in_batches_reads_oldest_rows_first() -> None:
    # From the created_at index, so that an interrupted prune leaves the newest of the old rows.
    with CaptureQueriesContext(connection) as queries:
        prune("--batch-size", "10")
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 3
    # Only created_at, ascending (newer Django versions name it by its position).
    ascending = re.compile(r'ORDER BY (1|"keysmith_token_audit_log"\."created_at") ASC')
    assert all(sql.startswith('SELECT "keysmith_token_audit_log"."created_at"') for sql in reads)
    assert all(ascending.search(sql) for sql in reads)
    # The 10th oldest row's time bounds the batch.
    assert all("LIMIT 1 OFFSET 9" in sql for sql in reads)


@pytest.mark.usefixtures("rows")
def test_prune_batch_larger_than_query_parameter_limits() -> None:
    # A range per batch, not a list of its ids: a batch of 100 000 is one small statement.
    out, err = prune("--batch-size", "100000")
    assert "Successfully deleted 25 audit log entries" in out
    assert err.splitlines() == ["batch 1: 25 rows deleted"]


@pytest.mark.usefixtures("rows")
def test_prune_batch_size_divides_rows_stops_after_empty_batch() -> None:
    TokenAuditLog.objects.filter(path="/0").delete()
    out, err = prune("--batch-size", "8")
    assert "Successfully deleted 24 audit log entries" in out
    assert err.splitlines()[-1] == "batch 3: 24 rows deleted"
    assert TokenAuditLog.objects.count() == RECENT


@pytest.mark.usefixtures("rows")
def test_prune_dry_run_reports_rows_and_batches_deletes_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        out, err = prune("--batch-size", "10", "--dry-run")
    assert out.strip() == (
        "Would delete 25 audit log entries older than 30 days, in 3 batches of at most 10 "
        "(dry run: nothing deleted)."
    )
    assert err == ""
    assert TokenAuditLog.objects.count() == OLD + RECENT
    assert not [q for q in queries.captured_queries if q["sql"].startswith("DELETE")]


@pytest.mark.usefixtures("rows")
def test_prune_quiet_prints_no_progress() -> None:
    out, err = prune("--batch-size", "10", "--verbosity", "0")
    assert err == ""
    assert "Successfully deleted 25" in out


@pytest.mark.parametrize("size", ["0", "-5", "ten"])
def test_prune_bad_batch_size_is_command_error(size: str) -> None:
    with pytest.raises(CommandError, match="not a positive whole number"):
        prune("--batch-size", size)


def test_docs_sample_prune_from_code_deletes_rows_past_90_days(
    capsys: pytest.CaptureFixture[str],
) -> None:
    old = TokenAuditLog.objects.create(action="x", path="/old", method="GET", status_code=0)
    TokenAuditLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=91))
    TokenAuditLog.objects.create(action="x", path="/new", method="GET", status_code=0)
    sample = docs_sample("django/management-commands.md", "prune-from-code")
    exec(compile(sample, "docs/django/management-commands.md", "exec"), {})
    assert list(TokenAuditLog.objects.values_list("path", flat=True)) == ["/new"]
    out, err = capsys.readouterr()
    assert "Successfully deleted 1 audit log entries older than 90 days." in out
    assert err == ""
