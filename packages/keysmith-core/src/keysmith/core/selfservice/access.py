"""Who may do what through the self-service endpoints: a caller reaches its own tokens (others'
only with the application's permission), and grants only scopes it holds, and the owner holds."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from keysmith.core.selfservice.errors import NOT_FOUND, OWNER_NOT_ALLOWED, SelfServiceError


@dataclass(frozen=True, slots=True)
class Caller:
    """The person the application authenticated.

    ``owner`` is their reference as tokens store it (a user id, as text); ``actor`` is what the
    lifecycle service records as the acting user (a Django user, an id); ``manages_others``
    whether the application lets them manage other people's tokens.
    """

    owner: str
    actor: Any = field(default=None, compare=False)
    manages_others: bool = False

    def reaches(self, owner: str | None) -> bool:
        """Whether a token of ``owner`` (None: a token without one) is this caller's to manage."""
        return self.manages_others or (owner is not None and owner == self.owner)

    def require_reach(self, owner: str | None) -> None:
        # Another person's token answers exactly like a missing one.
        if not self.reaches(owner):
            raise SelfServiceError(NOT_FOUND)

    def owner_for(self, requested: str | None) -> str:
        """Whose token a create or a listing is about: the caller's, unless they manage others."""
        if requested is None or requested == self.owner:
            return self.owner
        if not self.manages_others:
            raise SelfServiceError(OWNER_NOT_ALLOWED)
        return requested


def _names(scopes: Iterable[str]) -> str:
    return ", ".join(sorted(scopes))


def grant_refusals(
    added: Collection[str],
    actor_holds: Collection[str],
    owner_holds: Collection[str] | None = None,
    *,
    owner_name: str = "the owner",
    noun: str = "scopes",
) -> list[str]:
    """One message per reason the ``added`` scopes cannot be granted; empty when they can.

    The granting person must hold each scope, and so must the token's owner when it is someone
    else (``owner_holds`` given): a token must not give its owner more than they hold.
    """
    messages = []
    lacking = [scope for scope in added if scope not in actor_holds]
    if lacking:
        messages.append(
            f"You can grant only {noun} you hold yourself. Not held: {_names(lacking)}."
        )
    if owner_holds is not None:
        lacking = [scope for scope in added if scope not in owner_holds]
        if lacking:
            messages.append(
                f"A token gets only {noun} its owner holds; {owner_name} does not hold: "
                f"{_names(lacking)}."
            )
    return messages
