"""Which scopes a person may grant, in the admin and the self-service endpoints alike:
permissions they hold (``has_perm``), and that the token's owner holds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from keysmith.core.selfservice.access import grant_refusals


def permission_name(permission: Any) -> str:
    """``app_label.codename``: the name ``has_perm`` and the error messages use."""
    return f"{permission.content_type.app_label}.{permission.codename}"


def holds(user: Any, permission: Any) -> bool:
    # has_perm, not the permission tables: every authentication backend has its say, and
    # superusers hold everything (an inactive user holds nothing).
    return user is not None and bool(user.has_perm(permission_name(permission)))


@dataclass(frozen=True)
class Grantor:
    """The person granting scopes, and the token's owner (None: nobody, or not chosen).

    A token's scopes are what it lets its holder do, so the person granting them must hold
    them, and so must the owner: the token must not give its owner more than they hold.
    """

    actor: Any
    owner: Any = None

    def may_grant(self, permission: Any) -> bool:
        return holds(self.actor, permission) and (
            self.owner is None or holds(self.owner, permission)
        )

    def refusals(self, added: Iterable[Any]) -> list[str]:
        """One message per reason the ``added`` scopes cannot be granted; empty if they can."""
        added = list(added)
        names = [permission_name(p) for p in added]
        other = self.owner is not None and self.owner.pk != getattr(self.actor, "pk", None)
        return grant_refusals(
            names,
            {permission_name(p) for p in added if holds(self.actor, p)},
            {permission_name(p) for p in added if holds(self.owner, p)} if other else None,
            owner_name=str(self.owner),
            noun="permissions",
        )
