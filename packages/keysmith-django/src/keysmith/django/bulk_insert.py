"""Many rows of one model written by one prepared INSERT, compiled once per database."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import django
from django.db import connections, transaction
from django.db.models import AutoField, DateField, DateTimeField, Field, Model, TimeField
from django.db.models.fields import NOT_PROVIDED
from django.db.models.sql import InsertQuery

# pre_save() implementations that return the attribute unchanged unless auto_now(_add) is set.
_PLAIN_PRE_SAVE = {Field.pre_save, DateField.pre_save, DateTimeField.pre_save, TimeField.pre_save}


def _unsupported(field: Field[Any, Any]) -> bool:
    """Whether Django's insert path does more for this field than ``get_db_prep_save``."""
    return (
        type(field).pre_save not in _PLAIN_PRE_SAVE
        or getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or getattr(field, "generated", False)  # Django 5.0+
        or getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED  # Django 5.0+
        # Custom placeholders (binary, array, range, geometry fields) depend on each value.
        or hasattr(field, "get_placeholder")
        or hasattr(field, "get_placeholder_sql")  # Django 6.1+
        or hasattr(field.get_default(), "resolve_expression")
    )


def _unnests(alias: str) -> bool:
    """Whether ``bulk_create`` already sends one statement per batch that beats ours.

    Django 5.2+ inserts a batch into PostgreSQL as one ``UNNEST`` statement; ``executemany``
    sends one statement per row, which saved little CPU here and cost the server more.
    """
    return connections[alias].vendor == "postgresql" and django.VERSION >= (5, 2)


class PreparedInsert:
    """``bulk_create`` of new rows given as ``{attname: value}``, with the SQL compiled once.

    ``bulk_create`` builds a model instance per row, then assembles the SQL and its placeholders
    again for every batch: CPU spent per row in the process that also serves requests. This
    compiles the single-row INSERT once for one database alias with Django's own compiler (so
    quoting and placeholders are the backend's), converts each value with the field's
    ``get_db_prep_save`` as Django's insert does, and sends all rows with one ``executemany``
    (no parameter limit, unlike one multi-row ``VALUES``). Fields a row leaves out take their
    default, as on a new instance. A model with a field whose insert needs more than that
    (``auto_now``, ``db_default``, generated or custom-placeholder fields), and PostgreSQL from
    Django 5.2 on, are written with ``bulk_create`` instead, so the rows are the same either way.
    """

    def __init__(self, model: type[Model], alias: str) -> None:
        self.model = model
        self.alias = alias
        # As bulk_create for rows without a primary key value: the database numbers them.
        fields = [
            field for field in model._meta.concrete_fields if not isinstance(field, AutoField)
        ]
        self.attnames = {field.attname for field in fields}
        supported = not any(_unsupported(field) for field in model._meta.concrete_fields)
        self.sql = self._compile(fields) if supported and not _unnests(alias) else None
        self.columns: list[tuple[str, Callable[[], Any], Callable[..., Any]]] = [
            (field.attname, field.get_default, field.get_db_prep_save) for field in fields
        ]

    def _compile(self, fields: Sequence[Field[Any, Any]]) -> str | None:
        """The INSERT of one row with one placeholder per field, or None if the backend's isn't."""
        query = InsertQuery(self.model)
        query.insert_values(fields, [self.model()])
        statements = query.get_compiler(using=self.alias).as_sql()
        if len(statements) != 1 or len(statements[0][1]) != len(fields):
            return None
        return str(statements[0][0])

    def insert(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write ``rows`` in one transaction; an unknown attname raises ``TypeError``."""
        if not rows:
            return
        for row in rows:
            if not self.attnames.issuperset(row):
                unknown = sorted(set(row) - self.attnames)
                raise TypeError(f"{self.model.__name__} has no insertable field {unknown}")
        if self.sql is None:
            manager = self.model._default_manager.db_manager(self.alias)
            manager.bulk_create([self.model(**row) for row in rows])
            return
        connection = connections[self.alias]
        params = [
            [
                prepare(row[attname] if attname in row else default(), connection=connection)
                for attname, default, prepare in self.columns
            ]
            for row in rows
        ]
        with transaction.atomic(using=self.alias, savepoint=False), connection.cursor() as cursor:
            cursor.executemany(self.sql, params)
