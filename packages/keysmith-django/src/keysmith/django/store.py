"""The Django ORM token store: model instances as records, racing writes as conditional UPDATEs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import IntegrityError, router, transaction
from django.db.models import Model, Q

from keysmith.core.errors import PrefixCollision
from keysmith.core.records import NewToken, hash_upgrade, revocation, rotation
from keysmith.django.prepared import PreparedRead
from keysmith.models.base import AbstractToken

T = TypeVar("T", bound=AbstractToken)


def scope_name(scope: object) -> str:
    """The codename a scope is checked against ``AVAILABLE_SCOPES`` with."""
    if isinstance(scope, str):
        return scope.rpartition(".")[2]
    codename = getattr(scope, "codename", None)
    if not isinstance(codename, str):
        raise TypeError(
            "Scopes must be Permission objects (or a queryset of them) or codenames, "
            f"got {type(scope).__name__}."
        )
    return codename


def resolve_scopes(permission_model: type[Model], scopes: Iterable[object]) -> list[Any]:
    """Permission rows for the given scopes: objects as they are, codenames looked up.

    A codename may be qualified as ``app_label.codename``; unknown ones raise ``ValueError``
    naming every one of them.
    """
    rows: list[Any] = []
    wanted: set[str] = set()
    for scope in scopes:
        if isinstance(scope, permission_model):
            rows.append(scope)
        elif isinstance(scope, str):
            wanted.add(scope)
        else:
            raise TypeError(
                f"Scopes must be {permission_model.__name__} objects (or a queryset of them) "
                f"or codenames, got {type(scope).__name__}."
            )
    if not wanted:
        return rows
    query = Q()
    for name in wanted:
        app_label, dot, codename = name.rpartition(".")
        query |= (
            Q(content_type__app_label=app_label, codename=codename) if dot else Q(codename=name)
        )
    found: list[Any] = list(
        permission_model._default_manager.filter(query).select_related("content_type")
    )
    known = {p.codename for p in found} | {
        f"{p.content_type.app_label}.{p.codename}" for p in found
    }
    missing = wanted - known
    if missing:
        raise ValueError("Scope permissions were not found: " + ", ".join(sorted(missing)))
    return rows + found


class DjangoTokenStore(Generic[T]):
    """A ``TokenStore`` over a token model; hands out (and updates) the model instances."""

    def __init__(self, model: type[T]) -> None:
        self.model = model
        self._reads: dict[str, PreparedRead] = {}
        self.permission_model: type[Model] = model._meta.get_field("scopes").related_model  # type: ignore[assignment]

    def insert(self, new: NewToken) -> T:
        permissions = resolve_scopes(self.permission_model, new.scopes)
        manager = self.model._default_manager
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                token: T = manager.create(
                    prefix=new.prefix,
                    key=new.key,
                    name=new.name,
                    description=new.description,
                    token_type=new.token_type,
                    user=new.user,
                    created_by=new.created_by,
                    expires_at=new.expires_at,
                )
                if permissions:
                    token.scopes.set(permissions)
        except IntegrityError as error:
            if manager.filter(prefix=new.prefix).exists():
                raise PrefixCollision(new.prefix) from error
            raise
        return token

    def get_by_prefix(self, prefix: str) -> T | None:
        # A plain read, no row lock: every write below re-checks the state it depends on.
        alias = router.db_for_read(self.model)
        read = self._reads.get(alias)
        if read is None:
            read = self._reads[alias] = PreparedRead(self.model, alias)
        token: T | None = read.fetch(prefix)
        return token

    def _update(self, record: T, changes: dict[str, Any], *conditions: Q, **expect: Any) -> bool:
        rows = self.model._default_manager.filter(*conditions, pk=record.pk, **expect)
        if rows.update(**changes) != 1:
            return False
        for name, value in changes.items():
            setattr(record, name, value)
        return True

    def replace_key(
        self,
        record: T,
        *,
        key: str,
        previous_key: str | None,
        previous_key_expires_at: datetime | None,
    ) -> bool:
        write = rotation(
            current_key=record.key,
            key=key,
            previous_key=previous_key,
            previous_key_expires_at=previous_key_expires_at,
        )
        return self._update(record, write.changes, **write.expect)

    def upgrade_key(self, record: T, *, old_key: str, new_key: str) -> bool:
        write = hash_upgrade(old_key=old_key, new_key=new_key)
        return self._update(record, write.changes, **write.expect)

    def revoke(self, record: T, *, purge: bool) -> bool:
        write = revocation(purge=purge)
        return self._update(record, write.changes, **write.expect)

    def touch(self, record: T, *, now: datetime, stale_before: datetime | None) -> bool:
        if stale_before is None:
            return self._update(record, {"last_used_at": now})
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before)
        return self._update(record, {"last_used_at": now}, stale)

    def scopes_of(self, record: T) -> frozenset[str]:
        return frozenset(record.scopes.values_list("codename", flat=True))
