"""keysmith.core: the framework-free token lifecycle every keysmith adapter stands on."""

from __future__ import annotations

from keysmith.core.async_buffer import AsyncBufferedAuditSink
from keysmith.core.audit import (
    Action,
    AuditEvent,
    AuditSink,
    LoggingAuditSink,
    MemoryAuditSink,
    NullAuditSink,
    RequestContext,
    sink_enabled,
)
from keysmith.core.budget import FailureBudget
from keysmith.core.buffer import BufferedAuditSink
from keysmith.core.cache import VerifiedSecretCache
from keysmith.core.checksum import checksum
from keysmith.core.clock import Clock, FrozenClock, SystemClock
from keysmith.core.errors import (
    ConfigurationError,
    DisabledToken,
    ExpiredToken,
    InsufficientScope,
    InvalidToken,
    KeysmithError,
    PrefixCollision,
    RateLimited,
    RevokedToken,
    ScopeError,
    ServiceUnavailable,
    TokenAuthError,
    TokenChanged,
    TokenStateError,
)
from keysmith.core.format import MAX_TOKEN_LENGTH, ParsedToken, RawToken, TokenFormat, parse
from keysmith.core.hashers import (
    BaseTokenHasher,
    HMACSHA256TokenHasher,
    PBKDF2SHA512TokenHasher,
    SHA256TokenHasher,
    TokenHasher,
)
from keysmith.core.hashing import Hashing
from keysmith.core.memory import AsyncMemoryTokenStore, MemoryToken, MemoryTokenStore
from keysmith.core.outcome import AuthOutcome
from keysmith.core.policy import NO_EXPIRY, TokenPolicy
from keysmith.core.records import NewToken, TokenRecord
from keysmith.core.scopes import ScopePolicy, require_scopes
from keysmith.core.service import AsyncTokenService, TokenService
from keysmith.core.stores import AsyncTokenStore, TokenStore

__version__ = "0.2.0"

__all__ = [
    "MAX_TOKEN_LENGTH",
    "NO_EXPIRY",
    "Action",
    "AsyncBufferedAuditSink",
    "AsyncMemoryTokenStore",
    "AsyncTokenService",
    "AsyncTokenStore",
    "AuditEvent",
    "AuditSink",
    "AuthOutcome",
    "BaseTokenHasher",
    "BufferedAuditSink",
    "Clock",
    "ConfigurationError",
    "DisabledToken",
    "ExpiredToken",
    "FailureBudget",
    "FrozenClock",
    "HMACSHA256TokenHasher",
    "Hashing",
    "InsufficientScope",
    "InvalidToken",
    "KeysmithError",
    "LoggingAuditSink",
    "MemoryAuditSink",
    "MemoryToken",
    "MemoryTokenStore",
    "NewToken",
    "NullAuditSink",
    "PBKDF2SHA512TokenHasher",
    "ParsedToken",
    "PrefixCollision",
    "RateLimited",
    "RawToken",
    "RequestContext",
    "RevokedToken",
    "SHA256TokenHasher",
    "ScopeError",
    "ScopePolicy",
    "ServiceUnavailable",
    "SystemClock",
    "TokenAuthError",
    "TokenChanged",
    "TokenFormat",
    "TokenHasher",
    "TokenPolicy",
    "TokenRecord",
    "TokenService",
    "TokenStateError",
    "TokenStore",
    "VerifiedSecretCache",
    "checksum",
    "parse",
    "require_scopes",
    "sink_enabled",
]
