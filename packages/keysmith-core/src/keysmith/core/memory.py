"""In-memory stores: the reference implementation of the store ports, and a test double."""

from __future__ import annotations

import dataclasses
import operator
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from keysmith.core.errors import PrefixCollision
from keysmith.core.records import NewToken, hash_upgrade, revocation, rotation


@dataclass(slots=True)
class MemoryToken:
    """A stored token. Stores hand out copies, as a database hands out rows."""

    prefix: str
    key: str
    name: str
    created_at: datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    description: str = ""
    token_type: str = "user"
    user: Any = None
    created_by: Any = None
    scopes: frozenset[str] = frozenset()
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked: bool = False
    purged: bool = False
    previous_key: str | None = None
    previous_key_expires_at: datetime | None = None


# All of a row's fields in one C-level read: copying a row is on every authentication's path,
# and ``dataclasses.replace`` costs five times as much.
_ROW_FIELDS = operator.attrgetter(*(f.name for f in dataclasses.fields(MemoryToken)))


def _copy(row: MemoryToken) -> MemoryToken:
    return MemoryToken(*_ROW_FIELDS(row))


class MemoryTokenStore:
    """A thread-safe ``TokenStore`` keeping records in a dict keyed by prefix."""

    def __init__(self) -> None:
        self._rows: dict[str, MemoryToken] = {}
        self._lock = threading.Lock()

    def insert(self, new: NewToken) -> MemoryToken:
        fields = {f.name: getattr(new, f.name) for f in dataclasses.fields(new)}
        fields["scopes"] = frozenset(str(scope) for scope in new.scopes)
        row = MemoryToken(**fields)
        with self._lock:
            if row.prefix in self._rows:
                raise PrefixCollision(row.prefix)
            self._rows[row.prefix] = row
        return _copy(row)

    def get_by_prefix(self, prefix: str) -> MemoryToken | None:
        with self._lock:
            row = self._rows.get(prefix)
            return _copy(row) if row is not None else None

    def all(self) -> list[MemoryToken]:
        with self._lock:
            return [_copy(row) for row in self._rows.values()]

    def _update(self, record: MemoryToken, changes: dict[str, Any], **expect: Any) -> bool:
        with self._lock:
            row = self._rows.get(record.prefix)
            if row is None or any(getattr(row, k) != v for k, v in expect.items()):
                return False
            for name, value in changes.items():
                setattr(row, name, value)
        for name, value in changes.items():
            setattr(record, name, value)
        return True

    def replace_key(
        self,
        record: MemoryToken,
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

    def upgrade_key(self, record: MemoryToken, *, old_key: str, new_key: str) -> bool:
        write = hash_upgrade(old_key=old_key, new_key=new_key)
        return self._update(record, write.changes, **write.expect)

    def revoke(self, record: MemoryToken, *, purge: bool) -> bool:
        write = revocation(purge=purge)
        return self._update(record, write.changes, **write.expect)

    def touch(self, record: MemoryToken, *, now: datetime, stale_before: datetime | None) -> bool:
        with self._lock:
            row = self._rows.get(record.prefix)
            last = row.last_used_at if row is not None else None
            if row is None or (
                stale_before is not None and last is not None and last > stale_before
            ):
                return False
            row.last_used_at = now
        record.last_used_at = now
        return True

    def scopes_of(self, record: MemoryToken) -> frozenset[str]:
        with self._lock:
            row = self._rows.get(record.prefix)
            return row.scopes if row is not None else frozenset()


class AsyncMemoryTokenStore:
    """The ``AsyncTokenStore`` twin of ``MemoryTokenStore`` (sharing one when given)."""

    def __init__(self, store: MemoryTokenStore | None = None) -> None:
        self.sync = store or MemoryTokenStore()

    async def insert(self, new: NewToken) -> MemoryToken:
        return self.sync.insert(new)

    async def get_by_prefix(self, prefix: str) -> MemoryToken | None:
        return self.sync.get_by_prefix(prefix)

    async def replace_key(
        self,
        record: MemoryToken,
        *,
        key: str,
        previous_key: str | None,
        previous_key_expires_at: datetime | None,
    ) -> bool:
        return self.sync.replace_key(
            record,
            key=key,
            previous_key=previous_key,
            previous_key_expires_at=previous_key_expires_at,
        )

    async def upgrade_key(self, record: MemoryToken, *, old_key: str, new_key: str) -> bool:
        return self.sync.upgrade_key(record, old_key=old_key, new_key=new_key)

    async def revoke(self, record: MemoryToken, *, purge: bool) -> bool:
        return self.sync.revoke(record, purge=purge)

    async def touch(
        self, record: MemoryToken, *, now: datetime, stale_before: datetime | None
    ) -> bool:
        return self.sync.touch(record, now=now, stale_before=stale_before)

    async def scopes_of(self, record: MemoryToken) -> frozenset[str]:
        return self.sync.scopes_of(record)
