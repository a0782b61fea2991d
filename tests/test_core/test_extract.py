"""The extraction rules every adapter shares, called as an adapter calls them."""

from __future__ import annotations

from typing import Any

import pytest

from keysmith.core import ConfigurationError, InvalidToken
from keysmith.core.checksum import checksum
from keysmith.core.extract import TokenSource, wire_bytes
from keysmith.core.format import MAX_TOKEN_LENGTH
from keysmith.core.replies import Replies, challenge


def token(secret: str = "s" * 32, prefix: str = "tok_ab12CD34") -> str:
    body = f"{prefix}:{secret}"
    return body + checksum(body)


RAW = token()
OTHER = token("t" * 32)
# A JWT-shaped value, as simplejwt or an OAuth2 server issues them.
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


def headers(**values: list[bytes]) -> dict[bytes, list[bytes]]:
    return {name.replace("_", "-").encode(): found for name, found in values.items()}


def read(source: TokenSource, sent: dict[bytes, list[bytes]], query: bytes = b"") -> str | None:
    return source.read(lambda name: sent.get(name, []), query)


def reason(source: TokenSource, sent: dict[bytes, list[bytes]], query: bytes = b"") -> str:
    with pytest.raises(InvalidToken) as caught:
        read(source, sent, query)
    return caught.value.reason


def bearer(value: bytes | str) -> dict[bytes, list[bytes]]:
    value = value.encode("latin-1") if isinstance(value, str) else value
    return headers(authorization=[b"Bearer " + value])


def test_read_header_returns_token() -> None:
    assert read(TokenSource(), headers(x_keysmith_token=[RAW.encode()])) == RAW


def test_read_header_lines_joined_by_a_server_are_rejected_as_ambiguous() -> None:
    # WSGI servers join repeated header lines with commas: the same as sending it twice.
    joined = RAW.encode() + b", " + RAW.encode()
    assert reason(TokenSource(), headers(x_keysmith_token=[joined])) == "ambiguous_credentials"


def test_read_bearer_is_accepted_by_default() -> None:
    assert TokenSource().allow_bearer is True
    assert read(TokenSource(), bearer(RAW)) == RAW


def test_read_bearer_scheme_is_case_insensitive_and_padding_is_stripped() -> None:
    sent = headers(authorization=[b"  bEaReR   " + RAW.encode() + b"\t"])
    assert read(TokenSource(), sent) == RAW


def test_read_bearer_lines_joined_by_a_server_are_rejected_as_ambiguous() -> None:
    joined = b"Bearer " + RAW.encode() + b",Bearer " + OTHER.encode()
    assert reason(TokenSource(), headers(authorization=[joined])) == "ambiguous_credentials"


def test_read_bearer_beside_another_scheme_in_one_line_returns_token() -> None:
    joined = b'Digest username="u", realm="r", Bearer ' + RAW.encode()
    assert read(TokenSource(), headers(authorization=[joined])) == RAW


@pytest.mark.parametrize(
    "value",
    [
        JWT,
        "opaque-oauth2-access-token",
        token()[:-1] + ("0" if token()[-1] != "0" else "1"),  # keysmith's shape, wrong checksum
        "tok_ab12CD34:" + "s" * 32,  # no checksum
        "x" * (MAX_TOKEN_LENGTH + 1),
        "e" * 100_000,
        "tök_ab12CD34:sss",
        "a\x00b\x7fc",
        "",
        "   ",
    ],
)
def test_read_bearer_that_is_not_a_keysmith_token_is_left_alone(value: str) -> None:
    assert read(TokenSource(), bearer(value)) is None


@pytest.mark.parametrize(
    "value",
    [
        b"Bearer",
        b"Bearer ",
        b"Basic dXNlcjpwYXNz",
        b"Digest a=b",
        b"\xff\xfe",
        b"",
        b",,,",
        b"x" * 100_000,
    ],
)
def test_read_other_authorization_values_are_left_alone(value: bytes) -> None:
    assert read(TokenSource(), headers(authorization=[value])) is None


def test_read_non_keysmith_bearer_beside_header_returns_header_token() -> None:
    sent = {**headers(x_keysmith_token=[RAW.encode()]), **bearer(JWT)}
    assert read(TokenSource(), sent) == RAW


def test_read_header_and_bearer_with_the_same_token_count_once() -> None:
    sent = {**headers(x_keysmith_token=[b" " + RAW.encode()]), **bearer(RAW)}
    assert read(TokenSource(), sent) == RAW


def test_read_header_and_bearer_with_different_tokens_are_rejected_as_ambiguous() -> None:
    sent = {**headers(x_keysmith_token=[RAW.encode()]), **bearer(OTHER)}
    assert reason(TokenSource(), sent) == "ambiguous_credentials"


def test_read_header_twice_and_bearer_with_the_same_token_are_rejected_as_ambiguous() -> None:
    sent = {**headers(x_keysmith_token=[RAW.encode(), RAW.encode()]), **bearer(RAW)}
    assert reason(TokenSource(), sent) == "ambiguous_credentials"


def test_read_bearer_when_not_allowed_is_ignored() -> None:
    source = TokenSource(allow_bearer=False)
    assert read(source, bearer(RAW)) is None
    assert read(source, {**headers(x_keysmith_token=[RAW.encode()]), **bearer(OTHER)}) == RAW


@pytest.mark.parametrize("flag", ["yes", 1, None])
def test_token_source_allow_bearer_not_a_bool_raises_configuration_error(flag: Any) -> None:
    with pytest.raises(ConfigurationError, match="allow_bearer"):
        TokenSource(allow_bearer=flag)


def test_read_authorization_as_the_header_takes_the_raw_value_and_bearer_tokens() -> None:
    source = TokenSource(header_name="Authorization")
    assert read(source, headers(authorization=[RAW.encode()])) == RAW
    assert read(source, bearer(RAW)) == RAW
    assert read(source, bearer(JWT)) is None
    # Another scheme is taken as the token, and refused by the parser, as django-keysmith did.
    assert read(source, headers(authorization=[b"Basic dXNlcjpwYXNz"])) == "Basic dXNlcjpwYXNz"


def test_read_authorization_as_the_header_without_bearer_takes_every_value_raw() -> None:
    source = TokenSource(header_name="Authorization", allow_bearer=False)
    assert read(source, bearer(RAW)) == f"Bearer {RAW}"


def test_read_query_without_configured_param_is_ignored() -> None:
    assert read(TokenSource(), {}, b"keysmith_token=" + RAW.encode()) is None


def test_read_query_param_returns_decoded_token() -> None:
    query = b"keysmith_token=" + RAW.replace(":", "%3A").encode()
    assert read(TokenSource(query_param="keysmith_token"), {}, query) == RAW


def test_read_query_param_and_bearer_together_are_rejected_as_ambiguous() -> None:
    query = b"keysmith_token=" + RAW.encode()
    source = TokenSource(query_param="keysmith_token")
    assert reason(source, bearer(RAW), query) == "ambiguous_credentials"


@pytest.mark.parametrize(
    ("text", "sent"), [("tok", b"tok"), ("t\xf6k", b"t\xf6k"), ("t\u2603k", "t\u2603k".encode())]
)
def test_wire_bytes_gives_latin_1_text_back_as_sent(text: str, sent: bytes) -> None:
    assert wire_bytes(text) == sent


def test_challenge_with_bearer_names_both_schemes() -> None:
    assert challenge(TokenSource(), "invalid_token") == (
        'APIKey realm="keysmith", header="x-keysmith-token", error="invalid_token", '
        'Bearer realm="keysmith", error="invalid_token"'
    )


def test_challenge_without_bearer_names_the_header_only() -> None:
    assert challenge(TokenSource(allow_bearer=False)) == (
        'APIKey realm="keysmith", header="x-keysmith-token"'
    )


def test_replies_forbidden_challenge_carries_scope_on_both_schemes() -> None:
    header = Replies(TokenSource()).forbidden(frozenset({"write"})).headers["WWW-Authenticate"]
    assert header.count('error="insufficient_scope", scope="write"') == 2
