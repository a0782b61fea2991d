"""The self-service flows over the synchronous core service and the in-memory listing (the
shape a WSGI adapter takes): every endpoint, the access rules, and failures of the store."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from keysmith.core import (
    AsyncMemoryTokenStore,
    AsyncTokenService,
    FrozenClock,
    MemoryAuditSink,
    MemoryTokenStore,
    ScopePolicy,
    TokenPolicy,
    TokenService,
)
from keysmith.core.selfservice import (
    STATE_RULES,
    Caller,
    Reply,
    SelfServiceError,
    SelfServiceFlows,
    SelfServiceLimits,
    TokenView,
    run,
    run_async,
)
from keysmith.core.selfservice.listing import AsyncMemoryTokenListing, MemoryTokenListing
from keysmith.core.selfservice.service_backend import ServiceBackend
from keysmith.core.selfservice.shapes import in_state

ALICE = Caller(owner="alice", actor="alice")
BOB = Caller(owner="bob", actor="bob")
MANAGER = Caller(owner="root", actor="root", manages_others=True)
HOLDS = {"alice": {"read", "write"}, "bob": {"read"}, "root": {"read", "write", "admin"}}


class World:
    def __init__(
        self, limits: SelfServiceLimits | None = None, policy: TokenPolicy | None = None
    ) -> None:
        self.store = MemoryTokenStore()
        self.sink = MemoryAuditSink()
        self.clock = FrozenClock()
        self.service = TokenService(
            self.store, policy=policy or TokenPolicy(), sink=self.sink, clock=self.clock
        )
        self.flows = SelfServiceFlows(limits)
        self.backend = ServiceBackend(
            self.service, MemoryTokenListing(self.store), grantable=HOLDS.__getitem__
        )

    def create(self, caller: Caller = ALICE, **body: Any) -> dict[str, Any]:
        body.setdefault("name", "ci")
        return run(self.flows.create(caller, json.dumps(body)), self.backend).body

    def list(self, caller: Caller = ALICE, **query: list[str]) -> dict[str, Any]:
        return run(self.flows.list(caller, query, lambda n: f"?page={n}"), self.backend).body


def refusal(call: Any) -> tuple[int, str, str]:
    with pytest.raises(SelfServiceError) as caught:
        call()
    error = caught.value
    return error.status, error.code, error.detail


def test_flows_full_cycle_over_the_sync_service() -> None:
    world = World()
    made = world.create(scopes=["read"])
    assert made["raw_token"].startswith(made["prefix"] + ":")
    assert world.service.authenticate(made["raw_token"]).prefix == made["prefix"]
    reply = run(world.flows.rotate(ALICE, made["id"], b'{"grace_seconds": 60}'), world.backend)
    assert reply == Reply(200, reply.body, secret=True)
    reply = run(world.flows.revoke(ALICE, made["id"]), world.backend)
    assert (reply.body["state"], reply.secret) == ("revoked", False)
    lifecycle = [e for e in world.sink.events if not e.action.startswith("auth")]
    assert [e.action for e in lifecycle] == ["created", "rotated", "revoked"]
    assert [e.extra["actor_id"] for e in lifecycle] == ["alice"] * 3


def test_flows_owner_reaches_own_tokens_only() -> None:
    world = World()
    made = world.create(BOB)
    for flow in (
        world.flows.retrieve(ALICE, made["id"]),
        world.flows.rotate(ALICE, made["id"], None),
        world.flows.revoke(ALICE, made["id"]),
    ):
        assert refusal(lambda flow=flow: run(flow, world.backend)) == (
            404, "not_found", "No such token.",
        )  # fmt: skip
    assert world.list(BOB)["count"] == 1
    assert world.list(ALICE)["count"] == 0
    assert run(world.flows.retrieve(MANAGER, made["id"]), world.backend).status == 200


def test_flows_a_token_without_owner_is_nobodys() -> None:
    world = World()
    record, _ = world.service.create(name="system")
    assert refusal(lambda: run(world.flows.retrieve(ALICE, str(record.id)), world.backend))[1] == (
        "not_found"
    )
    assert run(world.flows.retrieve(MANAGER, str(record.id)), world.backend).status == 200


def test_flows_grants_need_the_caller_and_the_owner_to_hold_the_scope() -> None:
    world = World()
    assert refusal(lambda: world.create(BOB, scopes=["read", "write"]))[2] == (
        "You can grant only scopes you hold yourself. Not held: write."
    )
    status, code, detail = refusal(lambda: world.create(MANAGER, owner="bob", scopes=["admin"]))
    assert (status, code) == (403, "scope_not_allowed")
    assert detail == "A token gets only scopes its owner holds; user bob does not hold: admin."
    assert refusal(lambda: world.create(BOB, owner="alice"))[1] == "owner_not_allowed"
    assert world.create(MANAGER, owner="bob", scopes=["read"])["owner"] == "bob"


def test_flows_without_a_grant_hook_the_allow_list_decides() -> None:
    world = World()
    world.backend.grantable = None
    assert refusal(lambda: world.create(scopes=["read"]))[1] == "scope_not_allowed"
    world = World(policy=TokenPolicy(scopes=ScopePolicy(available=frozenset({"read"}))))
    world.backend.grantable = None
    assert world.create(scopes=["read"])["scopes"] == ["read"]
    assert refusal(lambda: world.create(scopes=["write"]))[1] == "scope_not_allowed"


def test_flows_scopes_outside_the_allow_list_are_refused_by_the_service() -> None:
    world = World(policy=TokenPolicy(scopes=ScopePolicy(available=frozenset({"read"}))))
    assert refusal(lambda: world.create(scopes=["write"])) == (
        403, "scope_not_allowed", "Scopes not allowed: write.",
    )  # fmt: skip
    assert not world.store.all()


def test_flows_limit_counts_live_tokens_of_the_owner() -> None:
    world = World(SelfServiceLimits(max_tokens_per_owner=1))
    first = world.create()
    world.create(BOB)
    assert refusal(world.create)[:2] == (409, "token_limit_reached")
    world.clock.advance(timedelta(days=91))  # the first one expired: it no longer counts
    assert world.create()["state"] == "active"
    assert world.list(state=["expired"])["results"][0]["id"] == first["id"]


def test_flows_rotation_from_a_stale_record_is_a_conflict() -> None:
    world = World()
    made = world.create()
    stale = world.store.get_by_prefix(made["prefix"])
    fresh = world.store.get_by_prefix(made["prefix"])
    assert fresh is not None
    world.service.rotate(fresh)  # someone else, meanwhile

    class Stale(ServiceBackend):
        def find(self, token_id: str) -> Any:
            return stale

    backend = Stale(world.service, MemoryTokenListing(world.store), grantable=HOLDS.__getitem__)
    status, code, _ = refusal(lambda: run(world.flows.rotate(ALICE, made["id"], None), backend))
    assert (status, code) == (409, "token_changed")


def test_flows_store_failure_is_a_logged_503(caplog: pytest.LogCaptureFixture) -> None:
    world = World()

    class Broken(MemoryTokenListing):
        def page(self, *args: Any) -> Any:
            raise OSError("database is gone")

    world.backend.listing = Broken(world.store)
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        status, code, _ = refusal(world.list)
    assert (status, code) == (503, "service_unavailable")
    assert "database is gone" in caplog.text


def test_flows_hold_ends_with_the_request_whatever_its_outcome() -> None:
    world = World(SelfServiceLimits(max_tokens_per_owner=3))
    insert = world.store.insert

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("database is gone")

    world.store.insert = broken  # type: ignore[method-assign]
    assert refusal(world.create)[:2] == (503, "service_unavailable")
    world.store.insert = insert  # type: ignore[method-assign]
    assert refusal(lambda: world.create(scopes=["admin"]))[:2] == (403, "scope_not_allowed")
    world.create()
    world.create()
    assert world.backend.releases == []


def test_flows_second_creation_for_a_held_owner_is_refused_at_once() -> None:
    world = World(SelfServiceLimits(max_tokens_per_owner=3))
    release = world.backend.listing.hold("alice")
    assert release is not None
    status, code, _ = refusal(world.create)
    assert (status, code) == (409, "creation_in_progress")
    world.create(caller=BOB)  # another owner is not held up
    release()
    world.create()


def test_flows_async_run_cancelled_mid_creation_releases_the_hold() -> None:
    store = AsyncMemoryTokenStore()
    service = AsyncTokenService(store, sink=MemoryAuditSink())
    listing = AsyncMemoryTokenListing(store.sync)
    flows = SelfServiceFlows(SelfServiceLimits(max_tokens_per_owner=3))
    entered = asyncio.Event()

    async def stuck(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        await asyncio.sleep(3600)

    async def scenario() -> None:
        insert = store.insert
        store.insert = stuck  # type: ignore[method-assign]
        body = json.dumps({"name": "ci"})
        task = asyncio.create_task(
            run_async(flows.create(ALICE, body), ServiceBackend(service, listing))
        )
        await asyncio.wait_for(entered.wait(), timeout=30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        store.insert = insert  # type: ignore[method-assign]
        reply = await run_async(flows.create(ALICE, body), ServiceBackend(service, listing))
        assert reply.status == 201

    asyncio.run(scenario())


def test_flows_pages_count_and_link() -> None:
    world = World(SelfServiceLimits(page_size=2))
    for n in range(5):
        world.clock.advance(timedelta(seconds=1))
        world.create(name=f"key {n}")
    first = world.list()
    assert (first["count"], first["next"], first["previous"]) == (5, "?page=2", None)
    assert [t["name"] for t in first["results"]] == ["key 4", "key 3"]
    last = world.list(page=["3"])
    assert (last["next"], last["previous"]) == (None, "?page=2")
    assert [t["name"] for t in last["results"]] == ["key 0"]


@pytest.mark.parametrize("revoked", [False, True])
@pytest.mark.parametrize("purged", [False, True])
@pytest.mark.parametrize("expired", [False, True])
def test_state_rules_match_the_state_shown(revoked: bool, purged: bool, expired: bool) -> None:
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    view = TokenView(
        id="1", prefix="tok_x", name="n", description="", owner=None, scopes=(),
        created_at=now, expires_at=now if expired else None, last_used_at=None,
        revoked=revoked or purged, purged=purged,
    )  # fmt: skip
    matching = [state for state, rule in STATE_RULES.items()
                if in_state(rule, view.revoked, view.purged, expired)]  # fmt: skip
    assert matching == [view.state(now)]
