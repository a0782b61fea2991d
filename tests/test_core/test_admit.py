"""The admission hook: a live token with the right secret may still be refused (its owner is
inactive), told only to the holder of the real secret."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from keysmith.core import (
    AsyncMemoryTokenStore,
    AsyncTokenService,
    ConfigurationError,
    DisabledToken,
    FrozenClock,
    InvalidToken,
    MemoryAuditSink,
    MemoryTokenStore,
    TokenPolicy,
    TokenService,
)

ACTIVE = {"alice": True, "mallory": False}


def owner_is_active(token: Any) -> bool:
    return token.user is None or ACTIVE[token.user]


def test_admit_inactive_owner_refused_as_disabled(make_service: Any, sink: MemoryAuditSink) -> None:
    service = make_service(admit=owner_is_active)
    token, raw = service.create(name="ci", user="mallory")
    with pytest.raises(DisabledToken) as caught:
        service.authenticate(raw)
    assert isinstance(caught.value, InvalidToken)  # still caught by `except InvalidToken`
    assert (caught.value.code, caught.value.reason) == ("disabled_token", "not_admitted")
    failed = sink.events[-1]
    assert (failed.action, failed.token_prefix) == ("auth_failed", token.prefix)
    assert failed.extra["reason"] == "not_admitted"


def test_admit_active_owner_and_system_token_pass(make_service: Any) -> None:
    service = make_service(admit=owner_is_active)
    _, alice = service.create(name="ci", user="alice")
    _, system = service.create(name="cron", token_type="system")
    assert service.authenticate(alice).user == "alice"
    assert service.authenticate(system).user is None


def test_admit_wrong_secret_never_asks_hook(make_service: Any) -> None:
    asked: list[Any] = []
    service = make_service(admit=lambda token: asked.append(token) or False)
    token, _raw = service.create(name="ci", user="mallory")
    forged = service.policy.format.reissue(token.prefix).raw
    with pytest.raises(InvalidToken) as caught:
        service.authenticate(forged)
    assert type(caught.value) is InvalidToken  # a prefix holder learns nothing of the owner
    assert asked == []


def test_admit_refused_token_is_not_marked_used(make_service: Any, store: MemoryTokenStore) -> None:
    service = make_service(admit=owner_is_active)
    token, raw = service.create(name="ci", user="mallory")
    with pytest.raises(DisabledToken):
        service.authenticate(raw)
    assert store.get_by_prefix(token.prefix).last_used_at is None


def test_admit_hook_raising_disabled_keeps_its_reason(make_service: Any) -> None:
    def admit(token: Any) -> bool:
        raise DisabledToken(reason="owner_locked", token=token)

    service = make_service(admit=admit)
    _, raw = service.create(name="ci")
    with pytest.raises(DisabledToken) as caught:
        service.authenticate(raw)
    assert caught.value.reason == "owner_locked"


def test_admit_async_hook_awaited_by_async_service(clock: FrozenClock) -> None:
    async def admit(token: Any) -> bool:
        await asyncio.sleep(0)
        return owner_is_active(token)

    async def scenario() -> None:
        service = AsyncTokenService(
            AsyncMemoryTokenStore(), policy=TokenPolicy(admit=admit), clock=clock
        )
        _, alice = await service.create(name="a", user="alice")
        _, mallory = await service.create(name="m", user="mallory")
        assert (await service.authenticate(alice)).user == "alice"
        with pytest.raises(DisabledToken):
            await service.authenticate(mallory)

    asyncio.run(scenario())


def test_admit_async_hook_on_sync_service_is_configuration_error(clock: FrozenClock) -> None:
    async def admit(token: Any) -> bool:
        return True

    service = TokenService(MemoryTokenStore(), policy=TokenPolicy(admit=admit), clock=clock)
    _, raw = service.create(name="ci")
    with pytest.raises(ConfigurationError, match="needs a plain function"):
        service.authenticate(raw)


def test_policy_admit_not_callable_is_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="admit must be a callable"):
        TokenPolicy(admit="myapp.owner_active")  # type: ignore[arg-type]
