"""Token format: generation, the checksum rule and every parser rejection."""

from __future__ import annotations

import zlib

import pytest

from keysmith.core import InvalidToken, TokenFormat, checksum, parse
from keysmith.core.errors import ConfigurationError
from keysmith.core.format import MAX_TOKEN_LENGTH, validate_namespace


def build(body: str) -> str:
    return body + checksum(body)


def test_checksum_known_body_matches_crc32_rule() -> None:
    body = "tok_ab12CD34:" + "s" * 32
    expected = (zlib.crc32(body.encode()) & 0xFFFFFFFF) % 1_000_000
    assert checksum(body) == f"{expected:06d}"
    assert len(checksum(body)) == 6


def test_checksum_small_crc_is_zero_padded() -> None:
    # Search a body whose CRC reduces below 100000, to see the padding.
    body = next(
        b for b in (f"tok_aaaaaaaa:{i:032d}" for i in range(10_000)) if checksum(b)[0] == "0"
    )
    assert checksum(body).startswith("0")
    assert int(checksum(body)) == (zlib.crc32(body.encode()) & 0xFFFFFFFF) % 1_000_000


def test_generate_default_format_has_documented_shape() -> None:
    issued = TokenFormat().generate()
    namespace, identifier = issued.prefix.split("_")
    body, check = issued.raw[:-6], issued.raw[-6:]
    assert namespace == "tok"
    assert len(identifier) == 8
    assert identifier.isalnum()
    assert body == f"{issued.prefix}:{issued.secret}"
    assert len(issued.secret) == 32
    assert check == checksum(body)


def test_generate_twice_gives_different_tokens() -> None:
    fmt = TokenFormat()
    assert fmt.generate().raw != fmt.generate().raw


def test_reissue_keeps_prefix_changes_secret() -> None:
    fmt = TokenFormat()
    first = fmt.generate()
    second = fmt.reissue(first.prefix)
    assert second.prefix == first.prefix
    assert second.secret != first.secret


def test_parse_issued_token_returns_prefix_and_secret() -> None:
    issued = TokenFormat(namespace="svc_live", secret_length=40).generate()
    parsed = parse(issued.raw)
    assert (parsed.prefix, parsed.secret) == (issued.prefix, issued.secret)


def test_parse_token_from_earlier_configuration_still_parses() -> None:
    old = TokenFormat(namespace="legacy", secret_length=256).generate()
    assert parse(old.raw).prefix.startswith("legacy_")


def test_parse_repr_hides_secret() -> None:
    issued = TokenFormat().generate()
    assert issued.secret not in repr(parse(issued.raw))
    assert issued.secret not in repr(issued)


@pytest.mark.parametrize(
    ("raw", "rule"),
    [
        ("", "empty"),
        (None, "not a string"),
        (b"tok_abcdefgh:secret123456", "not a string"),
        ("a" * (MAX_TOKEN_LENGTH + 1), "longer than"),
        ("tok_ab:1", "too short"),
        ("tok_abcdefghsecretsecret123456", "no ':'"),
        ("tokabcdefgh:secretsecret" + checksum("tokabcdefgh:secretsecret"), "no '_'"),
        (build("tok_abcdefgh:"), "empty secret"),
        ("tok_abcdefgh:secretsecret000000", "checksum does not match"),
        ("tok_abcdefgh:secretsecret12345x", "checksum is not six digits"),
        ("tok_abcdefgh:secretsecret12345\u0663", "not printable ASCII"),
        ("tok_abcdefgh:secret\u00e9secret123456", "not printable ASCII"),
        ("tok_abcdefgh:secret\x00secret123456", "not printable ASCII"),
        ("tok_abcdefgh:secret secret123456", "not printable ASCII"),
        ("tok_abcdefgh:secret\nsecret123456", "not printable ASCII"),
        (build("_abcdefgh:secretsecret"), "not '<namespace>_<identifier>'"),
        (build("tok_:secretsecretsecret"), "not '<namespace>_<identifier>'"),
        (build("tok_abcdefgh:secret:secret"), "more than one ':'"),
        (build("tok_abcdefgh:secret_secret"), "secret has characters outside"),
    ],
)
def test_parse_malformed_input_raises_invalid_token_naming_rule(raw: object, rule: str) -> None:
    with pytest.raises(InvalidToken) as caught:
        parse(raw)
    assert rule in str(caught.value)
    assert caught.value.reason == "malformed"
    assert caught.value.code == "invalid_token"


def test_parse_error_message_never_contains_input() -> None:
    secret = "S3cretValueThatMustNotLeak0123456"
    raw = f"tok_abcdefgh:{secret}000000"
    with pytest.raises(InvalidToken) as caught:
        parse(raw)
    assert secret not in str(caught.value)
    assert secret not in repr(caught.value)


def test_parse_oversized_input_is_rejected_before_character_scan() -> None:
    # Non-ASCII content would fail later checks; the length rule must win.
    with pytest.raises(InvalidToken, match="longer than"):
        parse("\u00e9" * 10_000_000)


@pytest.mark.parametrize("namespace", ["", "a" * 33, "tok-live", "t\u00f6k", "tok ", 7, None])
def test_format_bad_namespace_raises_configuration_error(namespace: object) -> None:
    with pytest.raises(ConfigurationError, match="namespace"):
        TokenFormat(namespace=namespace)  # type: ignore[arg-type]


@pytest.mark.parametrize("length", [0, 15, 257, "32", 32.0, True])
def test_format_bad_secret_length_raises_configuration_error(length: object) -> None:
    with pytest.raises(ConfigurationError, match="secret length"):
        TokenFormat(secret_length=length)  # type: ignore[arg-type]


@pytest.mark.parametrize("namespace", ["my-app", "acme.prod", "a_b-c", "x" * 246])
def test_parse_legacy_namespace_from_django_keysmith_still_parses(namespace: str) -> None:
    body = f"{namespace}_Ab12Cd34:{'s' * 32}"
    parsed = parse(body + checksum(body))
    assert (parsed.prefix, parsed.secret) == (f"{namespace}_Ab12Cd34", "s" * 32)


def test_validate_namespace_accepts_underscores_and_digits() -> None:
    assert validate_namespace("my_app_2") == "my_app_2"
    assert parse(TokenFormat(namespace="my_app_2").generate().raw).prefix.startswith("my_app_2_")
