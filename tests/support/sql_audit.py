"""Reading the SQL audit table back in tests, on a connection of its own."""

from __future__ import annotations

from sqlalchemy import select

from keysmith.sqlalchemy import make_engine
from keysmith.sqlalchemy.tables import audit_events


def audit_actions(url: str) -> list[str]:
    """The actions of every row in ``keysmith_audit_events``, oldest first."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = select(audit_events.c.action).order_by(audit_events.c.id)
            return list(connection.scalars(query))
    finally:
        engine.dispose()
