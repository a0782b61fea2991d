"""What clients send the self-service endpoints: bodies and queries parsed, bounded, refused
with a clear message; and the page links."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from keysmith.core.selfservice import SelfServiceError, SelfServiceLimits
from keysmith.core.selfservice.limits import OMITTED
from keysmith.core.selfservice.requests import (
    MAX_BODY_BYTES,
    json_object,
    parse_create,
    parse_list,
    parse_rotate,
    parse_token_id,
)
from keysmith.core.selfservice.shapes import page_url

LIMITS = SelfServiceLimits(page_size=10, max_page_size=50)


def refused(call: object) -> str:
    with pytest.raises(SelfServiceError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.code == "invalid_request"
    assert caught.value.status == 400
    return caught.value.detail


def test_parse_create_full_body_gives_every_field() -> None:
    request = parse_create(
        {
            "name": "ci",
            "description": "line one\nline two",
            "scopes": ["read", "write", "read"],
            "expires_at": "2030-01-31T12:00:00+02:00",
            "owner": 42,
        },
        128,
    )
    assert request.name == "ci"
    assert request.description == "line one\nline two"
    assert request.scopes == ("read", "write")  # each asked once
    assert request.expires_at == datetime(2030, 1, 31, 10, tzinfo=timezone.utc)
    assert request.owner == "42"


def test_parse_create_omitted_and_null_differ() -> None:
    assert parse_create({"name": "ci"}, 128).expires_at is OMITTED
    assert parse_create({"name": "ci", "expires_at": None}, 128).expires_at is None
    assert parse_create({"name": "ci"}, 128).scopes is None
    assert parse_create({"name": "ci", "scopes": []}, 128).scopes == ()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "ci", "scopes": ["x"] * 101}, "scopes may name at most 100 scopes."),
        ({"name": "ci", "scopes": [""]}, "Each scope must be a name of 1 to 255 characters."),
        ({"name": "ci", "scopes": [7]}, "Each scope must be a name of 1 to 255 characters."),
        ({"name": "ci", "owner": True}, "owner must be a user id (a string or an integer)."),
        ({"name": "ci", "owner": ""}, "owner must be 1 to 255 characters."),
        ({"name": "ci", "description": "x" * 1025}, "description must be at most 1024 characters."),
        ({"name": "ci", "description": "a\x00b"},
         "description must not contain control characters."),
        ({"name": "ci", "expires_at": 1893456000},
         "expires_at must be an ISO 8601 date and time, e.g. 2030-01-31T12:00:00Z."),
    ],
)  # fmt: skip
def test_parse_create_bad_fields_are_refused(body: dict[str, object], message: str) -> None:
    assert refused(lambda: parse_create(body, 128)) == message


def test_parse_create_unknown_field_names_are_escaped_and_bounded() -> None:
    detail = refused(lambda: parse_create({"name": "ci", "\x1b[2J" + "x" * 100: 1}, 128))
    assert "\x1b" not in detail
    assert "\\x1b[2J" in detail
    assert len(detail) < 200


def test_json_object_bounds_the_body() -> None:
    assert json_object(b"", required=False) == {}
    assert json_object(b'{"a": 1}', required=True) == {"a": 1}
    message = f"The request body is larger than {MAX_BODY_BYTES} bytes."
    assert refused(lambda: json_object(b" " * (MAX_BODY_BYTES + 1) + b"{}", required=True)) == (
        message
    )


@pytest.mark.parametrize("grace", [-1, 1.5, "60", True])
def test_parse_rotate_grace_must_be_whole_seconds(grace: object) -> None:
    assert refused(lambda: parse_rotate({"grace_seconds": grace})) == (
        "grace_seconds must be a whole number of seconds, 0 or more."
    )


def test_parse_list_defaults_and_states() -> None:
    request = parse_list({}, LIMITS)
    assert (request.page, request.page_size, request.states, request.owner) == (
        1, 10, frozenset(), None,
    )  # fmt: skip
    request = parse_list({"state": ["active, expired", "revoked"], "page": ["3"]}, LIMITS)
    assert request.states == {"active", "expired", "revoked"}
    assert request.page == 3


@pytest.mark.parametrize(
    "query",
    [
        {"page": ["0"]},
        {"page": ["\u0661"]},
        {"page_size": ["51"]},
        {"page": ["9" * 12]},
        {"state": ["x"]},
    ],
)
def test_parse_list_bad_values_are_refused(query: dict[str, list[str]]) -> None:
    refused(lambda: parse_list(query, LIMITS))


def test_parse_token_id_refuses_what_cannot_be_an_id() -> None:
    assert parse_token_id("8d0f") == "8d0f"
    assert parse_token_id("x" * 65) is None
    assert parse_token_id("a\nb") is None
    assert parse_token_id("") is None


def test_page_url_sets_the_page_and_sorts_the_query() -> None:
    url = "http://testserver/tokens/?state=active&page_size=2&page=1"
    assert page_url(url, 2) == "http://testserver/tokens/?page=2&page_size=2&state=active"
    assert page_url("https://x.test/t", 3) == "https://x.test/t?page=3"
