"""A user's project in a pytester folder, built from the Testing page's samples, and run by
pytest in a process of its own (as the user's own ``pytest`` would run it)."""

from __future__ import annotations

import pytest


def write_files(pytester: pytest.Pytester, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = pytester.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def run_outside_django(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, *args: str
) -> pytest.RunResult:
    """Run the project's tests without pytest-django (it would read the settings this test run
    configured), importing the project's modules from its folder."""
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    options = ("-p", "no:django", "-p", "no:cacheprovider", "--import-mode=importlib")
    return pytester.runpytest_subprocess(*options, *args)
