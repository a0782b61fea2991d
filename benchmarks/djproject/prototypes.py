"""Prototypes of proposed hot-path fixes, measured beside the shipped code when
``BENCH_PROTOTYPES=1``. Not keysmith: evidence for a change to make in keysmith-django.

``PreparedReadStore``: ``get_by_prefix`` compiles its ``select_related("user")`` query once and
then only executes it and builds the two instances with ``Model.from_db`` and Django's own
related-object populators, skipping the ORM's per-request query compilation.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models.query import get_related_populators

from keysmith.django.store import DjangoTokenStore

_MARKER = "__prefix__"


class _Prepared:
    """One compiled ``select_related("user")`` read by prefix, for one database alias."""

    def __init__(self, model: Any, alias: str) -> None:
        query = model._default_manager.select_related("user").filter(prefix=_MARKER).query
        compiler = query.get_compiler(using=alias)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slot = self.params.index(_MARKER)
        fields = compiler.klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.attnames = [col[0].target.attname for col in compiler.select[self.start : self.end]]
        self.populators = get_related_populators(compiler.klass_info, compiler.select, alias)
        self.converters = compiler.get_converters([col[0] for col in compiler.select])
        self.compiler = compiler


class PreparedReadStore(DjangoTokenStore[Any]):
    def __init__(self, model: Any) -> None:
        super().__init__(model)
        self._prepared: dict[str, _Prepared] = {}

    def get_by_prefix(self, prefix: str) -> Any:
        alias = router.db_for_read(self.model)
        prepared = self._prepared.get(alias)
        if prepared is None:
            prepared = self._prepared[alias] = _Prepared(self.model, alias)
        params = list(prepared.params)
        params[prepared.slot] = prefix
        with connections[alias].cursor() as cursor:
            cursor.execute(prepared.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if prepared.converters:
            row = next(iter(prepared.compiler.apply_converters([row], prepared.converters)))
        token = self.model.from_db(alias, prepared.attnames, row[prepared.start : prepared.end])
        for populator in prepared.populators:
            populator.populate(row, token)
        return token
