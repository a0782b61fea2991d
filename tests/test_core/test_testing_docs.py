"""The Testing page's framework-free samples: audit capture, the frozen clock, and the store
contract run against a store of the reader's own."""

from __future__ import annotations

import pytest
from support.docs_samples import docs_sample
from support.user_project import run_outside_django, write_files

from keysmith.testing.contract import StoreContract

pytest_plugins = ["pytester"]


def test_docs_audit_sample_runs_as_printed() -> None:
    exec(compile(docs_sample("testing.md", "audit"), "docs/testing.md", "exec"), {})


def test_docs_clock_sample_runs_as_printed() -> None:
    exec(compile(docs_sample("testing.md", "clock"), "docs/testing.md", "exec"), {})


MY_STORE = """
from keysmith.core import AsyncMemoryTokenStore, MemoryTokenStore


class MyTokenStore(MemoryTokenStore):
    pass


class MyAsyncTokenStore(AsyncMemoryTokenStore):
    pass
"""


def test_docs_contract_samples_run_the_whole_contract(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(pytester, {"my_store.py": MY_STORE})
    write_files(
        pytester,
        {
            "tests/test_my_store.py": docs_sample("testing.md", "contract"),
            "tests/test_my_async_store.py": docs_sample("testing.md", "contract-async"),
        },
    )
    contract_tests = [name for name in dir(StoreContract) if name.startswith("test_")]
    result = run_outside_django(pytester, monkeypatch)
    result.assert_outcomes(passed=2 * len(contract_tests))
