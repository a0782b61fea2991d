"""The Testing page's Flask samples, run as the reader's own test suite."""

from __future__ import annotations

import pytest
from support.docs_samples import docs_sample
from support.user_project import run_outside_django, write_files

pytest_plugins = ["pytester"]


def test_docs_flask_samples_pass_as_printed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_files(
        pytester,
        {
            "notes.py": docs_sample("testing.md", "flask-app"),
            "conftest.py": docs_sample("testing.md", "flask-conftest"),
            "tests/test_notes.py": docs_sample("testing.md", "flask-tests"),
        },
    )
    run_outside_django(pytester, monkeypatch, "-W", "error").assert_outcomes(passed=2)
