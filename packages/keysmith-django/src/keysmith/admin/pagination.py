"""What keeps a changelist's counting cheap on large tables: a paginator that counts at most a
few thousand rows, and no facet counts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property

# Django 5's facets ("Show counts") count the rows of every filter choice over the whole table;
# a ModelAdmin's show_facets set to this never offers them (Django 4.2 has no facets).
NO_FACETS: Any = getattr(getattr(admin, "ShowFacets", None), "NEVER", None)

# 100 pages of 100 rows: past them, narrowing the list with a filter finds a row sooner.
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):  # type: ignore[type-arg]
    """Counts the listed rows up to ``COUNT_CAP``: a full ``COUNT(*)`` reads every row of a
    table of millions on each page view, a capped one reads at most that many index entries.

    The admin then says "10000 …" and offers 100 pages; the rows beyond are reached by a
    filter or the search.
    """

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list
        if hasattr(rows, "order_by"):
            # Order only costs here: the count reads the first rows of whatever plan is cheapest.
            return int(rows.order_by()[: self.cap].count())
        return min(len(rows), self.cap)
