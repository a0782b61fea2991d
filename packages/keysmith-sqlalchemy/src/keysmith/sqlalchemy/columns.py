"""Column types keysmith needs on every database (UTC datetimes), and how Alembic writes them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime(timezone=True)`` that always hands back aware UTC datetimes.

    SQLite has no timezone support and drops ``tzinfo``; the core compares aware datetimes, so
    values are normalised to UTC on the way in (stored naive on SQLite, where every stored value
    then shares one offset and compares correctly as text) and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"keysmith stores timezone-aware datetimes only, got {value!r}.")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"Expected a datetime from the database, got {value!r}.")
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Pass as ``render_item=render_item`` to ``context.configure`` in Alembic's env.py.

    ``UTCDateTime`` is stored as ``DateTime(timezone=True)``; it normalises values in Python,
    not in the schema, so a migration only needs the plain type. Anything else is left to
    Alembic (``False``).
    """
    if kind == "type" and isinstance(obj, UTCDateTime):
        options = getattr(autogen_context, "opts", {})
        prefix = options.get("sqlalchemy_module_prefix", "sa.") or ""
        return f"{prefix}DateTime(timezone=True)"
    return False
