"""Record what django-keysmith 0.1.2's token helpers and hasher return, for the compatibility
tests (``test_compat_shims.py``). Run once with that release installed, outside this repository:

    python -m venv /tmp/dk && /tmp/dk/bin/pip install django-keysmith==0.1.2
    /tmp/dk/bin/python tests/test_django/compat/record_django_keysmith.py

It rewrites ``django_keysmith_0_1_2.json`` beside this file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "keysmith"],
    KEYSMITH={"HASH_ITERATIONS": 1_000},
)
django.setup()

from keysmith.hashers.registry import get_hasher  # noqa: E402
from keysmith.utils import tokens  # noqa: E402

TOKENS = [
    "",
    "short",
    "abcdefghi",
    "tok_ab12CD34:" + "s" * 32,
    "tok_ab12CD34:" + "s" * 32 + "000000",
    "tok_ab12CD34" + "000000",
    "tokab12CD34:secret",
    "tok_ab12CD34:",
    "a_b:c",
    "my-app_x:y:z",
    "ns_id:sécret",
    "tok_ab12CD34:" + "s" * 32 + "12345",
]
# Bodies given their right checksum: each breaks (or passes) one of the later rules.
CHECKSUMMED_BODIES = [
    "tokab12CD34:secret",
    "tok_ab12CD34",
    "tok_ab12CD34:",
    "a_b:c",
    "x_y:z:w",
    "_:s",
]
BUILDS = [
    {"namespace": "tok", "identifier": "ab12CD34", "secret": "s" * 32},
    {"namespace": "my-app", "identifier": "Z9", "secret": "x"},
    {"namespace": "acme.prod", "identifier": "00000000", "secret": "sécret"},
]
CRCS = [("", 6), ("tok_ab12CD34:" + "s" * 32, 6), ("hello", 3), ("hello", 10), ("ünïcode", 6)]
SECRETS = ["s" * 32, "Zq8" * 11, "x"]


def outcome(call: Any) -> dict[str, Any]:
    try:
        return {"result": call()}
    except Exception as error:
        return {"error": type(error).__name__, "message": str(error)}


def main() -> None:
    # Tokens built from the recorded builds make valid inputs too.
    built = [tokens.build_public_token(**b) for b in BUILDS]
    checksummed = [body + tokens.compute_crc(body) for body in CHECKSUMMED_BODIES]
    inputs = TOKENS + checksummed + [b.token for b in built]
    hasher = get_hasher()
    record = {
        "extract_prefix_and_secret": [
            {"input": text, **outcome(lambda t=text: list(tokens.extract_prefix_and_secret(t)))}
            for text in inputs
        ],
        "build_public_token": [
            {"input": b, "result": vars(p)} for b, p in zip(BUILDS, built, strict=True)
        ],
        "compute_crc": [
            {"input": [value, digits], "result": tokens.compute_crc(value, digits)}
            for value, digits in CRCS
        ],
        "pbkdf2_hashes": [{"secret": s, "hash": hasher.hash(s)} for s in SECRETS],
        "pbkdf2_iterations": 1_000,
    }
    path = Path(__file__).with_name("django_keysmith_0_1_2.json")
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
