"""Every Python block of the documentation is run by a test, or says why it cannot be.

The convention is in tests/support/docs_samples.py. The check is static (the tests are read, not
run), so it holds whichever sessions run and in whatever order; it needs only the standard
library.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from support.docs_samples import MARKER, ROOT, page_path, pages, samples_in

TESTS = ROOT / "tests"
# A test runs a sample by naming its page and name literally in one of these calls.
_REFERENCE = re.compile(
    r"\b(?:docs_sample|run_sample)\(\s*[\"'](?P<page>[^\"']+)[\"']\s*,\s*[\"'](?P<name>[^\"']+)[\"']"
)


def references(sources: list[str]) -> set[tuple[str, str]]:
    """The (page, name) pairs that the test sources run."""
    return {(m["page"], m["name"]) for source in sources for m in _REFERENCE.finditer(source)}


def problems(page: str, text: str, referenced: set[tuple[str, str]]) -> list[str]:
    """What is wrong with the Python blocks of one page, one line each (empty: nothing)."""
    samples = samples_in(page, text)
    found = []
    for sample in samples:
        where = f"{page}:{sample.line - 1}"
        if sample.name is None and sample.not_run is None:
            what = f"a malformed marker {sample.marker!r}" if sample.marker else "no marker"
            found.append(
                f"{where}: a python block with {what}; put `<!-- sample: NAME -->` above it and"
                " run it from a test, or `<!-- not-run: REASON -->`"
            )
        elif sample.name is not None and (page, sample.name) not in referenced:
            found.append(
                f'{where}: sample {sample.name!r} is run by no test (docs_sample("{page}",'
                f' "{sample.name}") or run_sample(...) under tests/)'
            )
    names = Counter(sample.name for sample in samples if sample.name is not None)
    found += [
        f"{page}: {count} samples named {name!r}" for name, count in names.items() if count > 1
    ]
    markers = len(MARKER.findall(text))
    marked = sum(sample.marker is not None for sample in samples)
    if markers != marked:
        found.append(f"{page}: {markers - marked} sample marker(s) above no python block")
    return found


def _test_sources() -> list[str]:
    here = Path(__file__).resolve()
    return [
        path.read_text(encoding="utf-8")
        for path in sorted(TESTS.rglob("*.py"))
        if path.resolve() != here and "support" not in path.relative_to(TESTS).parts[:1]
    ]


def test_every_python_block_of_the_docs_is_run_or_says_why_not() -> None:
    referenced = references(_test_sources())
    found = [
        problem
        for page in pages()
        for problem in problems(page, page_path(page).read_text(encoding="utf-8"), referenced)
    ]
    assert not found, "\n".join(found)


def test_every_page_is_walked() -> None:
    walked = pages()
    assert walked[0] == "README.md"
    assert {"index.md", "django/quickstart.md", "reference/core.md"} <= set(walked)


PAGE = """\
Text.

<!-- sample: run -->
```python
print("run")
```

<!-- not-run: an excerpt of a file keysmith does not own -->
```python
context.configure(connection=connection)
```

1. In a list:

   <!-- sample: listed -->
   ```python
   if True:
       pass
   ```
"""


def test_problems_a_marked_page_whose_samples_are_run_has_none() -> None:
    referenced = {("p.md", "run"), ("p.md", "listed")}
    assert problems("p.md", PAGE, referenced) == []
    listed = samples_in("p.md", PAGE)[2]
    assert listed.code == "if True:\n    pass\n"
    assert listed.line == PAGE.splitlines().index("   if True:") + 1


def test_problems_a_sample_that_no_test_runs_is_named() -> None:
    assert problems("p.md", PAGE, {("p.md", "listed")}) == [
        'p.md:4: sample \'run\' is run by no test (docs_sample("p.md", "run") or'
        " run_sample(...) under tests/)"
    ]


def test_problems_an_unmarked_or_badly_marked_block_is_named() -> None:
    page = "```python\nx = 1\n```\n\n<!-- sample: two words -->\n```python\ny = 2\n```\n"
    found = problems("p.md", page, set())
    assert len(found) == 2
    assert found[0].startswith("p.md:1: a python block with no marker")
    assert found[1].startswith("p.md:6: a python block with a malformed marker")


def test_problems_a_not_run_marker_needs_a_reason() -> None:
    page = "<!-- not-run: -->\n```python\nx = 1\n```\n"
    assert "malformed marker" in problems("p.md", page, set())[0]


def test_problems_duplicate_names_and_stray_markers_are_named() -> None:
    page = (
        "<!-- sample: a -->\n```python\n```\n<!-- sample: a -->\n```python\n```\n"
        "<!-- sample: b -->\n\n```python\n```\n"
    )
    found = problems("p.md", page, {("p.md", "a"), ("p.md", "b")})
    assert "p.md: 2 samples named 'a'" in found
    assert "p.md: 1 sample marker(s) above no python block" in found


def test_references_reads_literal_calls_only() -> None:
    source = (
        'docs_sample("a.md", "one")\nrun_sample(\n    "b/c.md",\n    "two",\n    namespace,\n)\n'
        "docs_sample(PAGE, name)\n"
    )
    assert references([source]) == {("a.md", "one"), ("b/c.md", "two")}
