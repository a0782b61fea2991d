"""keysmith.testing over the SQL store: a token issued from a database URL, and the records'
state read on the frozen clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from keysmith.sqlalchemy import SQLToken, create_all, service
from keysmith.testing import capture_audit, frozen_clock, issue_token


def test_issue_token_from_url_authenticates_through_sql_service(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    issued = issue_token(url, scopes=["read"], user="ada")
    assert isinstance(issued.record, SQLToken)
    svc = service(url, audit_buffer_seconds=0)
    with capture_audit(svc) as events:
        assert svc.authenticate(issued.raw).user == "ada"
    assert svc.scopes_of(issued.record) == frozenset({"read"})
    assert events.actions() == ["auth_success"]
    svc.store.engine.dispose()


def test_sql_record_state_reads_frozen_clock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    with frozen_clock() as clock:
        issued = issue_token(url, expires_at=timedelta(hours=1))
        assert issued.record.state() == "active"
        clock.advance(hours=1)
        assert issued.record.state() == "expired"
    assert issued.record.state() == "active"
