"""The behaviour every token store must show, whatever holds the rows.

Use it by subclassing ``StoreContract`` in a test module and providing a ``store`` fixture (a
fresh, empty synchronous ``TokenStore``) and, when the store needs its scopes to exist first,
a ``scope_names`` fixture returning two names it accepts in ``NewToken.scopes``. An async store
is tested through ``BlockingStore`` (see ``keysmith.testing.contract``). Needs pytest.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from keysmith.core import (
    MemoryAuditSink,
    NewToken,
    PrefixCollision,
    RevokedToken,
    TokenFormat,
    TokenPolicy,
    TokenService,
)
from keysmith.core.hashers import HMACSHA256TokenHasher
from keysmith.core.hashing import Hashing

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


def new_token(**overrides: Any) -> NewToken:
    issued = TokenFormat().generate()
    fields: dict[str, Any] = {
        "prefix": issued.prefix,
        # Unique like the prefix: stores may (and the Django one does) index the hash uniquely.
        "key": f"hmac_sha256$a${issued.secret}",
        "name": "contract",
        "created_at": NOW,
        "expires_at": NOW + timedelta(days=1),
        "description": "made by the store contract",
    }
    fields.update(overrides)
    return NewToken(**fields)


def fast_policy() -> TokenPolicy:
    hasher = HMACSHA256TokenHasher({"a": "contract-pepper-0123456789"})
    return TokenPolicy(hashing=Hashing(hasher))


class StoreContract:
    """The contract's tests; subclass it as ``TestMyStore(StoreContract)``."""

    @pytest.fixture
    def scope_names(self) -> tuple[str, str]:
        return ("read", "write")

    @pytest.fixture
    def store(self) -> Any:
        raise NotImplementedError(
            "Provide a `store` fixture in your StoreContract subclass: a fresh, empty TokenStore."
        )

    def test_insert_new_token_is_found_by_prefix(self, store: Any) -> None:
        inserted = store.insert(new_token(name="first"))
        found = store.get_by_prefix(inserted.prefix)
        assert found is not None
        assert (found.prefix, found.key, found.name) == (inserted.prefix, inserted.key, "first")
        assert found.revoked is False
        assert found.purged is False
        assert found.last_used_at is None
        assert found.expires_at == NOW + timedelta(days=1)
        assert found.previous_key is None

    def test_get_by_prefix_unknown_returns_none(self, store: Any) -> None:
        store.insert(new_token())
        assert store.get_by_prefix("tok_Unknown1") is None

    def test_insert_taken_prefix_raises_collision_and_keeps_first(self, store: Any) -> None:
        first = store.insert(new_token(key="hmac_sha256$a$one"))
        with pytest.raises(PrefixCollision):
            store.insert(new_token(prefix=first.prefix, key="hmac_sha256$a$two"))
        assert store.get_by_prefix(first.prefix).key == "hmac_sha256$a$one"

    def test_insert_with_scopes_reports_scope_names(
        self, store: Any, scope_names: tuple[str, str]
    ) -> None:
        record = store.insert(new_token(scopes=scope_names))
        assert store.scopes_of(record) == frozenset(scope_names)
        # Authentication hands the store a fetched record, not the inserted one.
        assert store.scopes_of(store.get_by_prefix(record.prefix)) == frozenset(scope_names)
        assert store.scopes_of(store.insert(new_token())) == frozenset()

    def test_replace_key_active_token_updates_row_and_record(self, store: Any) -> None:
        record = store.insert(new_token())
        original = record.key
        store.touch(record, now=NOW, stale_before=None)
        until = NOW + timedelta(minutes=5)
        assert store.replace_key(
            record, key="hmac_sha256$a$new", previous_key=original, previous_key_expires_at=until
        )
        assert record.key == "hmac_sha256$a$new"
        assert record.last_used_at is None
        row = store.get_by_prefix(record.prefix)
        assert (row.key, row.previous_key, row.last_used_at) == (
            "hmac_sha256$a$new",
            original,
            None,
        )
        assert row.previous_key_expires_at == until

    def test_replace_key_revoked_token_changes_nothing(self, store: Any) -> None:
        record = store.insert(new_token())
        original = record.key
        stale = store.get_by_prefix(record.prefix)
        assert store.revoke(record, purge=False)
        assert not store.replace_key(
            stale, key="hmac_sha256$a$new", previous_key=None, previous_key_expires_at=None
        )
        row = store.get_by_prefix(record.prefix)
        assert (row.key, row.revoked) == (original, True)

    def test_replace_key_stale_record_after_rotation_changes_nothing(self, store: Any) -> None:
        record = store.insert(new_token())
        stale = store.get_by_prefix(record.prefix)
        assert store.replace_key(
            record, key="hmac_sha256$a$first", previous_key=None, previous_key_expires_at=None
        )
        # The stale record still holds the hash the first rotation killed: carrying it into a
        # grace window would bring its secret back.
        until = NOW + timedelta(hours=1)
        assert not store.replace_key(
            stale, key="hmac_sha256$a$second", previous_key=stale.key, previous_key_expires_at=until
        )
        row = store.get_by_prefix(record.prefix)
        assert (row.key, row.previous_key) == ("hmac_sha256$a$first", None)
        assert stale.key != "hmac_sha256$a$second"

    def test_replace_key_concurrent_rotations_exactly_one_applies(self, store: Any) -> None:
        record = store.insert(new_token())
        handles = [store.get_by_prefix(record.prefix) for _ in range(6)]
        barrier = threading.Barrier(len(handles))
        applied: list[str] = []
        errors: list[BaseException] = []

        def rotate(index: int, handle: Any) -> None:
            key = f"hmac_sha256$a$rotation-{index}"
            try:
                barrier.wait()
                if store.replace_key(
                    handle, key=key, previous_key=None, previous_key_expires_at=None
                ):
                    applied.append(key)
            except BaseException as exc:
                errors.append(exc)

        threads = [
            threading.Thread(target=rotate, args=(index, handle))
            for index, handle in enumerate(handles)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert len(applied) == 1
        assert store.get_by_prefix(record.prefix).key == applied[0]

    def test_upgrade_key_matching_old_key_replaces_it(self, store: Any) -> None:
        record = store.insert(new_token())
        assert store.upgrade_key(record, old_key=record.key, new_key="hmac_sha256$a$up")
        assert store.get_by_prefix(record.prefix).key == "hmac_sha256$a$up"
        assert record.key == "hmac_sha256$a$up"

    def test_upgrade_key_after_concurrent_rotation_keeps_rotated_key(self, store: Any) -> None:
        record = store.insert(new_token())
        stale = store.get_by_prefix(record.prefix)
        store.replace_key(
            record, key="hmac_sha256$a$rotated", previous_key=None, previous_key_expires_at=None
        )
        assert not store.upgrade_key(stale, old_key=stale.key, new_key="hmac_sha256$a$up")
        assert store.get_by_prefix(record.prefix).key == "hmac_sha256$a$rotated"

    def test_revoke_twice_reports_change_once(self, store: Any) -> None:
        record = store.insert(new_token())
        assert store.revoke(record, purge=False) is True
        assert record.revoked is True
        assert store.revoke(store.get_by_prefix(record.prefix), purge=False) is False
        row = store.get_by_prefix(record.prefix)
        assert (row.revoked, row.purged) == (True, False)

    def test_purge_revoked_token_sets_both_flags_once(self, store: Any) -> None:
        record = store.insert(new_token())
        store.revoke(record, purge=False)
        assert store.revoke(record, purge=True) is True
        assert (record.revoked, record.purged) == (True, True)
        assert store.revoke(record, purge=True) is False
        assert store.revoke(record, purge=False) is False
        row = store.get_by_prefix(record.prefix)
        assert (row.revoked, row.purged) == (True, True)

    def test_touch_unconditional_writes_now(self, store: Any) -> None:
        record = store.insert(new_token())
        assert store.touch(record, now=NOW, stale_before=None)
        assert record.last_used_at == NOW
        assert store.get_by_prefix(record.prefix).last_used_at == NOW

    def test_touch_recent_use_skips_write(self, store: Any) -> None:
        record = store.insert(new_token())
        store.touch(record, now=NOW, stale_before=None)
        later = NOW + timedelta(seconds=10)
        assert not store.touch(record, now=later, stale_before=later - timedelta(seconds=60))
        assert store.get_by_prefix(record.prefix).last_used_at == NOW

    def test_touch_stale_use_writes(self, store: Any) -> None:
        record = store.insert(new_token())
        store.touch(record, now=NOW, stale_before=None)
        later = NOW + timedelta(minutes=5)
        assert store.touch(record, now=later, stale_before=later - timedelta(seconds=60))
        assert store.get_by_prefix(record.prefix).last_used_at == later

    def test_touch_with_stale_record_never_undoes_revocation(self, store: Any) -> None:
        record = store.insert(new_token())
        stale = store.get_by_prefix(record.prefix)
        store.revoke(record, purge=True)
        store.touch(stale, now=NOW, stale_before=None)
        stale.revoked = False  # what a read-modify-write store would write back
        store.touch(stale, now=NOW + timedelta(hours=1), stale_before=None)
        row = store.get_by_prefix(record.prefix)
        assert (row.revoked, row.purged) == (True, True)

    def test_concurrent_touch_and_revoke_keeps_revocation(self, store: Any) -> None:
        record = store.insert(new_token())
        stale = [store.get_by_prefix(record.prefix) for _ in range(4)]
        errors: list[BaseException] = []
        barrier = threading.Barrier(len(stale) + 1)

        def use(handle: Any) -> None:
            try:
                barrier.wait()
                for step in range(25):
                    store.touch(handle, now=NOW + timedelta(seconds=step), stale_before=None)
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=use, args=(handle,)) for handle in stale]
        for thread in threads:
            thread.start()
        barrier.wait()
        assert store.revoke(record, purge=False)
        for thread in threads:
            thread.join()
        assert errors == []
        assert store.get_by_prefix(record.prefix).revoked is True

    def test_service_over_store_runs_whole_lifecycle(
        self, store: Any, scope_names: tuple[str, str]
    ) -> None:
        sink = MemoryAuditSink()
        service = TokenService(store, policy=fast_policy(), sink=sink)
        token, raw = service.create(name="svc", scopes=scope_names[:1])
        assert service.authenticate(raw).prefix == token.prefix
        service.require_scopes(token, scope_names[:1])
        new_raw = service.rotate(token)
        assert service.authenticate(new_raw).prefix == token.prefix
        assert service.revoke(token) is True
        with pytest.raises(RevokedToken):
            service.authenticate(new_raw)
        assert sink.actions() == [
            "created",
            "auth_success",
            "rotated",
            "auth_success",
            "revoked",
            "auth_failed",
        ]
