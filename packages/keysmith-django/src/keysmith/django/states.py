"""A token state (``keysmith.core.selfservice.shapes.STATE_RULES``) as an ORM filter."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from keysmith.core.selfservice.shapes import StateRule


def state_filter(rule: StateRule, now: datetime) -> Q:
    """The rows in one state (``keysmith.core.selfservice.shapes.STATE_RULES``)."""
    condition = Q(purged=rule.purged)
    if rule.revoked is not None:
        condition &= Q(revoked=rule.revoked)
    if rule.expired is True:
        condition &= Q(expires_at__lte=now)
    elif rule.expired is False:
        condition &= Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    return condition
