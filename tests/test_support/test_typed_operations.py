"""The flows' store calls are type-checked: a misspelt method, a wrong argument or a misused
result is a mypy error, not a runtime surprise."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FLOW = """
from __future__ import annotations
from collections.abc import Generator
from datetime import datetime
from typing import Any, Generic
from keysmith.core.operations import Operation, StoreCall, call_store
from keysmith.core.stores import R, TokenStore


class Planted(Generic[R]):
    def flow(self, record: R) -> Generator[Operation, Any, None]:
        found = yield from call_store(TokenStore[R].get_by_prefix, "tok_A")
        {body}
"""
CASES = {
    "misspelt method": (
        'yield from call_store(TokenStore[R].get_by_prefixx, "tok_A")',
        'has no attribute "get_by_prefixx"',
    ),
    "wrong argument": (
        "yield from call_store(TokenStore[R].touch, record, now=None, stale_before=None)",
        'Argument "now" to "call_store" has incompatible type "None"; expected "datetime"',
    ),
    "method by name": (
        'yield StoreCall("get_by_prefix", ("tok_A",))',
        'Argument 1 to "StoreCall" has incompatible type "str"',
    ),
    "result misused": (
        "found.prefix.upper()",
        'Item "None" of "R | None" has no attribute "prefix"',
    ),
}


@pytest.fixture(scope="module")
def mypy_run() -> object:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed in this environment (the typecheck session has it)")
    return importlib.import_module("mypy.api").run


def check(mypy_run: object, folder: Path, body: str) -> tuple[str, int]:
    """mypy --strict's output and status on the flow with ``body`` planted in it."""
    planted = folder / "planted.py"
    planted.write_text(FLOW.format(body=body), encoding="utf-8")
    source_roots = sorted(str(path) for path in ROOT.glob("packages/*/src"))
    os.environ["MYPYPATH"] = os.pathsep.join(source_roots)
    try:
        out, _err, status = mypy_run(  # type: ignore[operator]
            ["--strict", "--no-incremental", "--follow-imports=silent", str(planted)]
        )
    finally:
        del os.environ["MYPYPATH"]
    return str(out), int(status)


@pytest.mark.parametrize("case", list(CASES))
def test_planted_store_call_mistake_is_a_mypy_error(
    mypy_run: object, tmp_path: Path, case: str
) -> None:
    body, expected = CASES[case]
    out, status = check(mypy_run, tmp_path, body)
    assert status == 1, out
    assert expected in out, out


def test_correct_store_calls_type_check(mypy_run: object, tmp_path: Path) -> None:
    body = "changed: bool = yield from call_store(TokenStore[R].revoke, record, purge=True)"
    out, status = check(mypy_run, tmp_path, body)
    assert status == 0, out
