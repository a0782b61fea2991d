"""keysmith.testing's framework-free helpers: issuing, headers, audit capture, frozen clock."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from keysmith.core import (
    AsyncMemoryTokenStore,
    AsyncTokenService,
    BufferedAuditSink,
    ConfigurationError,
    ExpiredToken,
    FrozenClock,
    MemoryAuditSink,
    MemoryTokenStore,
    NullAuditSink,
    SystemClock,
    TokenService,
)
from keysmith.core.extract import TokenSource
from keysmith.testing import (
    IssuedToken,
    aissue_token,
    authenticated,
    capture_audit,
    frozen_clock,
    issue_token,
    keysmith_headers,
)

AT = datetime(2031, 5, 1, 9, 30, tzinfo=timezone.utc)


def memory_service(**options: Any) -> TokenService[Any]:
    return TokenService(MemoryTokenStore(), **options)


def test_issue_token_service_returns_raw_that_authenticates() -> None:
    service = memory_service(sink=MemoryAuditSink())
    issued = issue_token(service, scopes=["read"], name="ci")
    raw, record = issued
    assert service.authenticate(raw).prefix == record.prefix == issued.prefix
    assert service.scopes_of(record) == frozenset({"read"})
    assert record.name == "ci"
    assert service.sink.actions() == ["created", "auth_success"]  # type: ignore[attr-defined]


def test_issued_token_repr_hides_raw() -> None:
    issued = issue_token(memory_service())
    assert issued.raw not in repr(issued)
    assert issued.raw.split(":")[1] not in repr(issued)


def test_issue_token_bare_store_uses_default_policy() -> None:
    store = MemoryTokenStore()
    raw, record = issue_token(store, user="ada")
    assert TokenService(store).authenticate(raw).user == "ada"
    assert record.expires_at is not None  # the default policy's lifetime


def test_issue_token_timedelta_expiry_counts_from_service_clock() -> None:
    clock = FrozenClock(AT)
    issued = issue_token(memory_service(clock=clock), expires_at=timedelta(hours=2))
    assert issued.record.expires_at == AT + timedelta(hours=2)


def test_issue_token_async_service_from_sync_code_runs_it() -> None:
    store = AsyncMemoryTokenStore()
    raw, record = issue_token(AsyncTokenService(store))
    assert TokenService(store.sync).authenticate(raw).prefix == record.prefix


def test_issue_token_async_service_inside_event_loop_says_await() -> None:
    async def inside() -> None:
        with pytest.raises(TypeError, match="await aissue_token"):
            issue_token(AsyncTokenService(AsyncMemoryTokenStore()))

    asyncio.run(inside())


def test_aissue_token_async_store_issues() -> None:
    store = AsyncMemoryTokenStore()
    issued = asyncio.run(aissue_token(store, scopes=["a"]))
    assert store.sync.scopes_of(issued.record) == frozenset({"a"})


def test_aissue_token_sync_service_raises_type_error() -> None:
    with pytest.raises(TypeError, match="use issue_token"):
        asyncio.run(aissue_token(memory_service()))


def test_issue_token_unknown_target_raises_type_error() -> None:
    with pytest.raises(TypeError, match="takes a TokenService, a TokenStore or a database URL"):
        issue_token(object())


def test_keysmith_headers_default_header() -> None:
    assert keysmith_headers("tok_x:y") == {"X-Keysmith-Token": "tok_x:y"}


def test_keysmith_headers_bearer_and_source() -> None:
    issued = IssuedToken("tok_x:y", None)
    assert keysmith_headers(issued, bearer=True) == {"Authorization": "Bearer tok_x:y"}
    assert keysmith_headers(issued, source=TokenSource("x-api-key")) == {"X-Api-Key": "tok_x:y"}


def test_keysmith_headers_bad_header_name_raises_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="header_name"):
        keysmith_headers("tok_x:y", header="bad header")


def test_keysmith_headers_not_a_token_raises_type_error() -> None:
    with pytest.raises(TypeError, match="raw token"):
        keysmith_headers(42)  # type: ignore[arg-type]


def test_authenticated_client_with_headers_mapping_updates_them() -> None:
    class HeaderClient:
        def __init__(self) -> None:
            self.headers: dict[str, str] = {}

    client = authenticated(HeaderClient(), "tok_x:y", header="x-token")
    assert client.headers == {"X-Token": "tok_x:y"}


def test_authenticated_unknown_client_raises_type_error() -> None:
    with pytest.raises(TypeError, match="keysmith_headers"):
        authenticated(object(), "tok_x:y")


def test_capture_audit_records_and_forwards_then_restores() -> None:
    sink = MemoryAuditSink()
    service = memory_service(sink=sink)
    with capture_audit(service) as events:
        raw, _ = issue_token(service)
        service.authenticate(raw)
    assert events.actions() == ["created", "auth_success"]
    assert sink.actions() == ["created", "auth_success"]
    assert service.sink is sink
    service.authenticate(raw)
    assert len(events) == 2


def test_capture_audit_buffered_sink_writes_at_once() -> None:
    written = MemoryAuditSink()
    batches: list[Any] = []
    buffered = BufferedAuditSink(written, batches.append, interval=3600)
    service = memory_service(sink=buffered)
    with capture_audit(service) as events:
        raw, _ = issue_token(service)
        service.authenticate(raw)
        # The authentication event reached the real sink before the block ended, unqueued.
        assert written.actions() == ["created", "auth_success"]
        assert buffered.pending() == 0
    assert len(events.of("auth_success")) == 1
    buffered.close()
    assert batches == []


def test_capture_audit_disabled_sink_still_captures() -> None:
    service = memory_service(sink=NullAuditSink())
    with capture_audit(service) as events:
        service.authenticate(issue_token(service).raw)
    assert events.actions() == ["created", "auth_success"]


def test_capture_audit_async_service_captures_and_awaits_forward() -> None:
    sink = MemoryAuditSink()
    service = AsyncTokenService(AsyncMemoryTokenStore(), sink=sink)

    async def scenario() -> None:
        issued = await aissue_token(service)
        await service.authenticate(issued.raw)

    with capture_audit(service) as events:
        asyncio.run(scenario())
    assert events.actions() == sink.actions() == ["created", "auth_success"]


def test_capture_audit_not_a_service_raises_type_error() -> None:
    with pytest.raises(TypeError, match="token services"), capture_audit(object()):
        pass


def test_frozen_clock_expires_token_of_service_on_system_clock() -> None:
    service = memory_service()
    with frozen_clock(AT) as clock:
        raw, record = issue_token(service, expires_at=timedelta(days=30))
        assert record.created_at == AT
        service.authenticate(raw)
        clock.advance(days=30)
        with pytest.raises(ExpiredToken):
            service.authenticate(raw)
    assert SystemClock().now() > datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert SystemClock().now() < AT


def test_frozen_clock_leaves_service_with_own_clock_alone() -> None:
    own = FrozenClock(AT)
    service = memory_service(clock=own)
    with frozen_clock(AT + timedelta(days=400)):
        assert service.clock.now() == AT


def test_frozen_clock_naive_time_raises_value_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"), frozen_clock(datetime(2031, 1, 1)):
        pass


def test_frozen_clock_backwards_advance_raises_value_error() -> None:
    with frozen_clock(AT) as clock:
        with pytest.raises(ValueError, match="only moves forward"):
            clock.advance(timedelta(seconds=-1))
        clock.set(AT - timedelta(days=1))
        assert SystemClock().now() == AT - timedelta(days=1)


FRAMEWORKS = ("django", "rest_framework", "starlette", "fastapi", "flask", "sqlalchemy", "pytest")


def test_testing_package_imports_without_any_framework_or_pytest() -> None:
    code = (
        "import sys\n"
        f"for name in {FRAMEWORKS!r}:\n"
        "    sys.modules[name] = None\n"
        "import keysmith.testing\n"
        "from keysmith.core import MemoryTokenStore\n"
        "raw, record = keysmith.testing.issue_token(MemoryTokenStore())\n"
        "with keysmith.testing.frozen_clock():\n"
        "    pass\n"
        f"loaded = [m for m in sys.modules if m.split('.')[0] in {FRAMEWORKS!r}\n"
        "          and sys.modules[m] is not None]\n"
        "assert not loaded, loaded\n"
        "assert 'keysmith.testing.plugin' not in sys.modules\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
