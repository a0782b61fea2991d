"""The token read by prefix, compiled once per database instead of on every request."""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import Model
from django.db.models.query import get_related_populators

_MARKER = "__keysmith_prefix__"


class PreparedRead:
    """``select_related("user").get(prefix=...)`` with the SQL compiled once.

    Django compiles a queryset's SQL on every evaluation, which costs several times the query
    itself on the authentication path. This compiles it once for one database alias, then per
    request only executes it and builds the instances the way the ORM does (``from_db``, the
    related-object populators, the backend's converters), so the result is the same objects.
    """

    def __init__(self, model: type[Model], alias: str) -> None:
        queryset = model._default_manager.select_related("user").filter(prefix=_MARKER)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        self.alias = alias
        self.model = model
        self.sql = sql
        self.params = list(params)
        self.slot = self.params.index(_MARKER)
        fields = compiler.klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.attnames = [
            column[0].target.attname for column in compiler.select[self.start : self.end]
        ]
        # Django 6.1 threads a "fetch mode" through instance building; earlier series have none.
        fetch_mode = getattr(queryset, "_fetch_mode", None)
        self.from_db_options = {} if fetch_mode is None else {"fetch_mode": fetch_mode}
        populator_args = () if fetch_mode is None else (fetch_mode,)
        self.populators = get_related_populators(
            compiler.klass_info, compiler.select, alias, *populator_args
        )
        self.converters = compiler.get_converters([column[0] for column in compiler.select])
        self.compiler = compiler

    def fetch(self, prefix: str) -> Any:
        params = list(self.params)
        params[self.slot] = prefix
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if self.converters:
            row = next(iter(self.compiler.apply_converters([row], self.converters)))
        values = row[self.start : self.end]
        token = self.model.from_db(self.alias, self.attnames, values, **self.from_db_options)
        for populator in self.populators:
            populator.populate(row, token)
        return token
