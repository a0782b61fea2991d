"""The Testing page's FastAPI and Starlette samples, run as the reader's own test suite."""

from __future__ import annotations

import pytest
from support.docs_samples import docs_sample
from support.user_project import run_outside_django, write_files

pytest_plugins = ["pytester"]


def test_docs_fastapi_and_starlette_samples_pass_as_printed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(
        pytester,
        {
            "notes.py": docs_sample("testing.md", "fastapi-app"),
            "conftest.py": docs_sample("testing.md", "fastapi-conftest"),
            "tests/test_notes.py": docs_sample("testing.md", "fastapi-tests"),
            "tests/test_whoami.py": docs_sample("testing.md", "starlette-tests"),
        },
    )
    run_outside_django(pytester, monkeypatch, "-W", "error").assert_outcomes(passed=4)
