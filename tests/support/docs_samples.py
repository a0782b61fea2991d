"""The Python code samples of the documentation, by name, for the tests that run them.

Every fenced ``python`` block of ``docs/`` and ``README.md`` carries a marker on the line above
it (tests/test_docs/test_samples_guard.py fails for one that does not):

    <!-- sample: setup -->
    ```python
    ...
    ```

A test runs the sample as the page prints it, with ``docs_sample("flask-self-service.md",
"setup")`` for its code or ``run_sample("flask-self-service.md", "setup", namespace)`` to execute
it (paths relative to ``docs/``; ``README.md`` names the project's README), so the page cannot
drift from the code. The guard finds that test by that literal call, page and name spelled out,
anywhere under ``tests/``. A sample may use names that the page defined in an earlier sample or
that the reader supplies (``user``, ``raw_token``, ``too_many_attempts``): the test passes them in
``namespace``. A sample that names a placeholder server (``postgresql://app@db/app``) may have
that URL swapped for a real one with ``replace_once``.

A block that cannot run at all (an excerpt of a file keysmith does not own, a signature) says
why instead:

    <!-- not-run: an excerpt of Alembic's migrations/env.py -->

Markdown renders both markers as nothing. In a list item, marker and fence share the indent.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DOCS",
    "ROOT",
    "Sample",
    "docs_sample",
    "documented_signature",
    "pages",
    "parameters",
    "replace_once",
    "run_sample",
    "samples_in",
    "samples_of",
]

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# An optional marker line, then a fenced block whose info string is "python" or "py"; marker and
# fence share their indentation (a block inside a list item is indented).
_BLOCK = re.compile(
    r"(?:^(?P<marker>[ \t]*<!--[ \t]*(?:sample|not-run)\b[^\n]*)\n)?"
    r"^(?P<indent>[ \t]*)```(?:python|py)\b[^\n]*\n(?P<code>.*?)^[ \t]*```",
    re.MULTILINE | re.DOTALL,
)
_SAMPLE = re.compile(r"^\s*<!--\s*sample:\s*(?P<name>[\w.-]+)\s*-->\s*$")
_NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(?P<reason>\S.*?)\s*-->\s*$")
# A marker anywhere, to find those that stand above no Python block.
MARKER = re.compile(r"^[ \t]*<!--[ \t]*(?:sample|not-run)\b", re.MULTILINE)


@dataclass(frozen=True)
class Sample:
    """One Python block of a page: its marker (a name, or the reason it is not run, or neither
    when the line above is no valid marker), its code (dedented) and its first code line."""

    page: str
    name: str | None
    not_run: str | None
    code: str
    line: int
    marker: str | None


def page_path(page: str) -> Path:
    return ROOT / page if page == "README.md" else DOCS / page


def pages() -> list[str]:
    """Every page that may hold samples: README.md and each Markdown file under docs/."""
    return ["README.md", *sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))]


def samples_of(page: str) -> list[Sample]:
    """Every Python block of ``page``, in order."""
    return samples_in(page, page_path(page).read_text(encoding="utf-8"))


def samples_in(page: str, text: str) -> list[Sample]:
    """Every Python block of ``text``, the content of ``page``, in order."""
    found = []
    for match in _BLOCK.finditer(text):
        marker = match["marker"]
        named = _SAMPLE.match(marker) if marker else None
        skipped = _NOT_RUN.match(marker) if marker else None
        code = textwrap.dedent(match["code"]) if match["indent"] else match["code"]
        found.append(
            Sample(
                page=page,
                name=named["name"] if named else None,
                not_run=skipped["reason"] if skipped else None,
                code=code,
                line=text.count("\n", 0, match.start("code")) + 1,
                marker=marker.strip() if marker else None,
            )
        )
    return found


def _sample(page: str, name: str) -> Sample:
    found = [sample for sample in samples_of(page) if sample.name == name]
    if len(found) != 1:
        names = [sample.name for sample in samples_of(page)]
        raise KeyError(f"{page} has {len(found)} samples named {name!r}; its samples: {names}")
    return found[0]


def docs_sample(page: str, name: str) -> str:
    """The code of the sample named ``name`` on ``page`` (a ``KeyError`` naming what exists when
    there is none: a renamed marker fails the test that runs it)."""
    return _sample(page, name).code


def replace_once(code: str, old: str, new: str) -> str:
    """``code`` with its one ``old`` replaced (a placeholder URL by a real one, say); fails when
    the page no longer prints ``old`` exactly once."""
    if code.count(old) != 1:
        raise AssertionError(f"expected {old!r} once in the sample, found {code.count(old)}")
    return code.replace(old, new)


def run_sample(
    page: str,
    name: str,
    namespace: dict[str, Any] | None = None,
    *,
    code: str | None = None,
) -> dict[str, Any]:
    """Execute the sample in ``namespace`` (a fresh module namespace by default) and return it.

    Tracebacks point at the page's own lines. ``code`` runs instead of the sample's code when a
    test had to change it with ``replace_once``. Top-level ``await`` is allowed: such a sample
    runs to its end in an event loop of its own.
    """
    sample = _sample(page, name)
    namespace = {} if namespace is None else namespace
    namespace.setdefault("__name__", f"docs_sample_{name.replace('-', '_')}")
    source = "\n" * (sample.line - 1) + (sample.code if code is None else code)
    compiled = compile(source, str(page_path(page)), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    result = eval(compiled, namespace)
    if inspect.iscoroutine(result):
        asyncio.run(result)
    return namespace


def documented_signature(code: str) -> inspect.Signature:
    """The signature a sample prints as ``name(*, a: int = 0, ...) -> T`` (a call shape that is
    not itself Python), read as the ``def`` it stands for; annotations are left unevaluated."""
    source = f"from __future__ import annotations\ndef {code.strip()}:\n    pass\n"
    namespace: dict[str, Any] = {}
    exec(compile(source, "<documented signature>", "exec"), namespace)
    name = code.strip().partition("(")[0]
    return inspect.signature(namespace[name])


def parameters(signature: inspect.Signature) -> list[tuple[str, Any, Any]]:
    """Name, kind and default of each parameter: what a reader of the signature relies on."""
    return [(p.name, p.kind, p.default) for p in signature.parameters.values()]
