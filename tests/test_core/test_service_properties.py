"""Property: no single-character change to a real token ever authenticates."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keysmith.core import (
    Hashing,
    HMACSHA256TokenHasher,
    InvalidToken,
    MemoryTokenStore,
    NullAuditSink,
    TokenPolicy,
    TokenService,
)

SERVICE: TokenService[Any] = TokenService(
    MemoryTokenStore(),
    policy=TokenPolicy(hashing=Hashing(HMACSHA256TokenHasher({"k": "pepper-0123456789abcdef"}))),
    sink=NullAuditSink(),
)
TOKENS = [SERVICE.create(name=f"t{i}")[1] for i in range(5)]


@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(min_value=0, max_value=len(TOKENS) - 1),
    position=st.integers(min_value=0, max_value=200),
    replacement=st.characters(codec="utf-8"),
)
def test_authenticate_single_character_change_is_rejected(
    which: int, position: int, replacement: str
) -> None:
    raw = TOKENS[which]
    position %= len(raw)
    if raw[position] == replacement:
        return
    mutated = raw[:position] + replacement + raw[position + 1 :]
    try:
        SERVICE.authenticate(mutated)
    except InvalidToken:
        return
    raise AssertionError("a mutated token authenticated")
