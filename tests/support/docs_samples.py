"""The Python code samples of the documentation, by name, for the tests that run them.

A sample is a fenced ``python`` block with a marker on the line above it:

    <!-- sample: setup -->
    ```python
    ...
    ```

Markdown renders the marker as nothing. A test runs the sample as the page prints it, with
``docs_sample("flask-self-service.md", "setup")`` (paths relative to ``docs/``; ``README.md``
names the project's README), so the page cannot drift from the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DOCS", "ROOT", "Sample", "docs_sample", "samples_of"]

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# An optional marker line, then a fenced block whose info string starts with "python".
_BLOCK = re.compile(
    r"(?:^<!--\s*sample:\s*(?P<name>[\w.-]+)\s*-->\n)?^```python[^\n]*\n(?P<code>.*?)^```",
    re.MULTILINE | re.DOTALL,
)


@dataclass(frozen=True)
class Sample:
    """One Python block of a page: its marker name (None when unmarked), code and line."""

    page: str
    name: str | None
    code: str
    line: int


def page_path(page: str) -> Path:
    return ROOT / page if page == "README.md" else DOCS / page


def samples_of(page: str) -> list[Sample]:
    """Every Python block of ``page``, in order."""
    text = page_path(page).read_text(encoding="utf-8")
    return [
        Sample(page, match["name"], match["code"], text.count("\n", 0, match.start()) + 1)
        for match in _BLOCK.finditer(text)
    ]


def docs_sample(page: str, name: str) -> str:
    """The code of the sample named ``name`` on ``page`` (a ``KeyError`` naming what exists when
    there is none: a renamed marker fails the test that runs it)."""
    found = [sample.code for sample in samples_of(page) if sample.name == name]
    if len(found) != 1:
        names = [sample.name for sample in samples_of(page)]
        raise KeyError(f"{page} has {len(found)} samples named {name!r}; its samples: {names}")
    return found[0]
