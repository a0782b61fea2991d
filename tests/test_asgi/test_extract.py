"""Reading tokens from headers, Authorization: Bearer and the query string."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from keysmith.asgi import TokenSource
from keysmith.core import MAX_TOKEN_LENGTH, ConfigurationError, InvalidToken
from keysmith.core.checksum import checksum

BODY = "tok_ab12CD34:" + "s" * 32
RAW = BODY + checksum(BODY)
OTHER = "tok_ab12CD34:" + "t" * 32 + checksum("tok_ab12CD34:" + "t" * 32)


def scope(headers: Sequence[tuple[bytes, bytes]] = (), query: bytes = b"") -> dict[str, Any]:
    return {"type": "http", "path": "/", "headers": list(headers), "query_string": query}


def reason(source: TokenSource, conn: dict[str, Any]) -> str:
    with pytest.raises(InvalidToken) as caught:
        source.extract(conn)
    return caught.value.reason


def test_extract_default_header_returns_token() -> None:
    assert TokenSource().extract(scope([(b"x-keysmith-token", RAW.encode())])) == RAW


def test_extract_custom_header_matches_case_insensitively() -> None:
    source = TokenSource(header_name="X-Api-Key")
    assert source.extract(scope([(b"x-api-key", RAW.encode())])) == RAW


def test_extract_no_credentials_returns_none() -> None:
    assert TokenSource(allow_bearer=True, query_param="t").extract(scope()) is None


def test_extract_surrounding_whitespace_is_stripped() -> None:
    padded = b"  " + RAW.encode() + b"\t"
    assert TokenSource().extract(scope([(b"x-keysmith-token", padded)])) == RAW


def test_extract_duplicate_header_is_rejected_as_ambiguous() -> None:
    headers = [(b"x-keysmith-token", RAW.encode()), (b"x-keysmith-token", RAW.encode())]
    assert reason(TokenSource(), scope(headers)) == "ambiguous_credentials"


def test_extract_header_and_bearer_with_different_tokens_are_rejected_as_ambiguous() -> None:
    headers = [(b"x-keysmith-token", RAW.encode()), (b"authorization", b"Bearer " + OTHER.encode())]
    assert reason(TokenSource(), scope(headers)) == "ambiguous_credentials"


def test_extract_header_and_bearer_with_the_same_token_returns_it() -> None:
    headers = [(b"x-keysmith-token", RAW.encode()), (b"authorization", b"Bearer " + RAW.encode())]
    assert TokenSource().extract(scope(headers)) == RAW


def test_extract_non_ascii_bytes_are_rejected() -> None:
    assert reason(TokenSource(), scope([(b"x-keysmith-token", "tök".encode())])) == "non_ascii"


@pytest.mark.parametrize("size", [MAX_TOKEN_LENGTH + 1, 1_000_000])
def test_extract_oversized_header_is_rejected(size: int) -> None:
    assert reason(TokenSource(), scope([(b"x-keysmith-token", b"a" * size)])) == "oversized"


@pytest.mark.parametrize("value", [b"", b"   "])
def test_extract_empty_header_is_rejected(value: bytes) -> None:
    assert reason(TokenSource(), scope([(b"x-keysmith-token", value)])) == "empty"


def test_extract_bearer_by_default_returns_token() -> None:
    conn = scope([(b"authorization", b"bEaReR " + RAW.encode())])
    assert TokenSource().extract(conn) == RAW


@pytest.mark.parametrize("value", [b"Bearer", b"Bearer   ", b"Bearer a.b.c"])
def test_extract_bearer_without_keysmith_token_is_left_alone(value: bytes) -> None:
    assert TokenSource().extract(scope([(b"authorization", value)])) is None


def test_extract_bearer_when_not_allowed_is_ignored() -> None:
    conn = scope([(b"authorization", b"Bearer " + RAW.encode())])
    assert TokenSource(allow_bearer=False).extract(conn) is None


def test_extract_other_authorization_scheme_is_ignored() -> None:
    conn = scope([(b"authorization", b"Basic dXNlcjpwYXNz")])
    assert TokenSource(allow_bearer=True).extract(conn) is None


def test_extract_query_param_when_allowed_returns_decoded_token() -> None:
    query = b"page=2&keysmith_token=" + RAW.replace(":", "%3A").encode()
    assert TokenSource(query_param="keysmith_token").extract(scope(query=query)) == RAW


def test_extract_query_param_when_not_configured_is_ignored() -> None:
    assert TokenSource().extract(scope(query=b"keysmith_token=" + RAW.encode())) is None


def test_extract_query_param_twice_is_rejected_as_ambiguous() -> None:
    query = b"t=" + RAW.encode() + b"&t=" + RAW.encode()
    assert reason(TokenSource(query_param="t"), scope(query=query)) == "ambiguous_credentials"


def test_extract_oversized_query_param_is_rejected_before_decoding() -> None:
    query = b"t=" + b"%41" * (MAX_TOKEN_LENGTH + 1)
    assert reason(TokenSource(query_param="t"), scope(query=query)) == "oversized"


def test_extract_query_param_with_non_ascii_is_rejected() -> None:
    assert reason(TokenSource(query_param="t"), scope(query=b"t=%C3%A9")) == "non_ascii"


@pytest.mark.parametrize("name", ["", "x token", "x:token", "tök", 42])
def test_token_source_invalid_header_name_raises_configuration_error(name: Any) -> None:
    with pytest.raises(ConfigurationError, match="header_name"):
        TokenSource(header_name=name)


def test_token_source_authorization_header_name_reads_the_raw_value() -> None:
    conn = scope([(b"authorization", RAW.encode())])
    assert TokenSource(header_name="Authorization").extract(conn) == RAW


@pytest.mark.parametrize("param", ["", 3])
def test_token_source_invalid_query_param_raises_configuration_error(param: Any) -> None:
    with pytest.raises(ConfigurationError, match="query_param"):
        TokenSource(query_param=param)
