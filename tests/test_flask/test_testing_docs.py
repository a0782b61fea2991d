"""The Testing page's Flask samples, run as the reader's own test suite."""

from __future__ import annotations

import pytest
from support.user_project import run_outside_django, write_samples

pytest_plugins = ["pytester"]


def test_docs_flask_samples_pass_as_printed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_samples(
        pytester,
        {
            "notes.py": "flask-app",
            "conftest.py": "flask-conftest",
            "tests/test_notes.py": "flask-tests",
        },
    )
    run_outside_django(pytester, monkeypatch, "-W", "error").assert_outcomes(passed=2)
