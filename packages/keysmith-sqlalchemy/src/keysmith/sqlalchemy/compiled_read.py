"""The prefix SELECT compiled once per dialect, and its driver rows turned into a record.

The statement and the type conversions are SQLAlchemy's own; the rows go through the same
folding as the generic path's (``statements.records_from_rows``), so a record read on the
driver's connection equals the one SQLAlchemy's execution would have built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Dialect

from keysmith.sqlalchemy import statements as sql
from keysmith.sqlalchemy.records import SQLToken

Rows = Sequence[Sequence[Any]]


class CompiledRead:
    """The prefix SELECT as the dialect's SQL text, and the conversion of its raw rows."""

    def __init__(self, dialect: Dialect) -> None:
        statement = sql.SELECT_BY_PREFIX
        self.text = str(statement.compile(dialect=dialect))
        processors = (
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in statement.selected_columns
        )
        # Only the columns the driver hands back in another form (UUIDs, datetimes, booleans).
        self.conversions: tuple[tuple[int, Callable[[Any], Any]], ...] = tuple(
            (index, convert) for index, convert in enumerate(processors) if convert is not None
        )

    def record(self, rows: Rows) -> SQLToken | None:
        converted = []
        for row in rows:
            values = list(row)
            for index, convert in self.conversions:
                values[index] = convert(values[index])
            converted.append(values)
        return sql.record_from_rows(converted)
