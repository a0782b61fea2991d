"""Whether a token whose secret and state passed may authenticate now: its owner is active and
its model's ``can_authenticate()`` agrees. The service asks this on every authentication."""

from __future__ import annotations

from typing import Any

from keysmith.core.errors import DisabledToken
from keysmith.models.base import owner_is_active


def admit(token: Any) -> bool:
    """True, or ``DisabledToken`` saying why (``owner_inactive`` or ``not_admitted``).

    The owner was read with the token (one query per request, as before); a system token has
    none. The owner check stands apart from ``can_authenticate()`` so that a custom model that
    overrides the method without calling ``super()`` still refuses an inactive owner's token.
    """
    if not owner_is_active(token):
        raise DisabledToken(reason="owner_inactive", token=token)
    if not token.can_authenticate():
        raise DisabledToken(reason="not_admitted", token=token)
    return True
