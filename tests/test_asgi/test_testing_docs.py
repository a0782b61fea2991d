"""The Testing page's FastAPI and Starlette samples, run as the reader's own test suite."""

from __future__ import annotations

import pytest
from support.user_project import run_outside_django, write_samples

pytest_plugins = ["pytester"]


def test_docs_fastapi_and_starlette_samples_pass_as_printed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_samples(
        pytester,
        {
            "notes.py": "fastapi-app",
            "conftest.py": "fastapi-conftest",
            "tests/test_notes.py": "fastapi-tests",
            "tests/test_whoami.py": "starlette-tests",
        },
    )
    run_outside_django(pytester, monkeypatch, "-W", "error").assert_outcomes(passed=4)
