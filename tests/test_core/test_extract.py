"""The extraction rules every adapter shares, called as an adapter calls them."""

from __future__ import annotations

import pytest

from keysmith.core import InvalidToken
from keysmith.core.extract import TokenSource

RAW = "tok_ab12CD34:" + "s" * 32 + "123456"


def headers(**values: list[bytes]) -> dict[bytes, list[bytes]]:
    return {name.replace("_", "-").encode(): found for name, found in values.items()}


def read(source: TokenSource, sent: dict[bytes, list[bytes]], query: bytes = b"") -> str | None:
    return source.read(lambda name: sent.get(name, []), query)


def reason(source: TokenSource, sent: dict[bytes, list[bytes]], query: bytes = b"") -> str:
    with pytest.raises(InvalidToken) as caught:
        read(source, sent, query)
    return caught.value.reason


def test_read_header_returns_token() -> None:
    assert read(TokenSource(), headers(x_keysmith_token=[RAW.encode()])) == RAW


def test_read_header_lines_joined_by_a_server_are_rejected_as_ambiguous() -> None:
    # WSGI servers join repeated header lines with commas: the same as sending it twice.
    joined = RAW.encode() + b", " + RAW.encode()
    assert reason(TokenSource(), headers(x_keysmith_token=[joined])) == "ambiguous_credentials"


def test_read_bearer_lines_joined_by_a_server_are_rejected_as_ambiguous() -> None:
    joined = b"Bearer " + RAW.encode() + b",Bearer " + RAW.encode()
    source = TokenSource(allow_bearer=True)
    assert reason(source, headers(authorization=[joined])) == "ambiguous_credentials"


def test_read_bearer_beside_another_scheme_in_one_line_returns_token() -> None:
    joined = b'Digest username="u", realm="r", Bearer ' + RAW.encode()
    assert read(TokenSource(allow_bearer=True), headers(authorization=[joined])) == RAW


def test_read_query_without_configured_param_is_ignored() -> None:
    assert read(TokenSource(), {}, b"keysmith_token=" + RAW.encode()) is None


def test_read_query_param_returns_decoded_token() -> None:
    query = b"keysmith_token=" + RAW.replace(":", "%3A").encode()
    assert read(TokenSource(query_param="keysmith_token"), {}, query) == RAW
