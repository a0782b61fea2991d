"""RESULTS.md: the environment, the targets, and one table per database and case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from benchmarks import report_fastapi
from benchmarks.results import Results, ordered
from benchmarks.targets import DB_NAMES, Check, speedup_over_legacy, table

CASE_TITLES = {
    "valid": "valid token",
    "malformed": "malformed token (bad checksum)",
    "wrong_secret": "well-formed token, wrong secret (token in use)",
    "forged": "forged secret on a live prefix (token not used yet)",
    "unknown_prefix": "unknown prefix",
    "revoked": "revoked token",
}
STACK_TITLES = {
    "current": "workspace venv",
    "legacy": "django-keysmith 0.1.2 venv",
    "asgi": "ASGI process",
    "flask": "Flask process",
    "fastapi": "FastAPI processes",
}


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "–" if value is None else f"{value:,.{digits}f}{suffix}"


def latency_table(results: Results, db: str, case: str) -> list[str]:
    lines = [
        "| scheme | median µs | p99 µs | req/s | × DRF token | × no auth | queries/req |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scheme in results.schemes(db):
        row = results.row(db, case, scheme)
        if row is None:
            continue
        label = results.labels.get(scheme, scheme)
        if scheme == "legacy":
            label += " ¹"
        queries = row.get("queries")
        lines.append(
            f"| {label} | {_fmt(row['median_us'], 1)} | {_fmt(row['p99_us'], 1)} | "
            f"{_fmt(row['rps'], 0)} | {_fmt(results.ratio(db, case, scheme, 'drf_token'))} | "
            f"{_fmt(results.ratio(db, case, scheme, 'floor'))} | {_fmt(queries, 2)} |"
        )
    return lines


def asgi_table(results: Results, case: str) -> list[str]:
    lines = [
        "| scheme | median µs | p99 µs | req/s | × unauthenticated route |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for scheme in results.schemes("asgi"):
        row = results.row("asgi", case, scheme)
        if row is None:
            continue
        ratio = results.ratio("asgi", case, scheme, results.asgi_base(scheme))
        lines.append(
            f"| {results.labels.get(scheme, scheme)} | {_fmt(row['median_us'], 1)} | "
            f"{_fmt(row['p99_us'], 1)} | {_fmt(row['rps'], 0)} | {_fmt(ratio)} |"
        )
    return lines


def flask_table(results: Results, case: str) -> list[str]:
    lines = [
        "| scheme | median µs | p99 µs | req/s | × Flask-HTTPAuth token | × no auth |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scheme in results.schemes("flask"):
        row = results.row("flask", case, scheme)
        if row is None:
            continue
        lines.append(
            f"| {results.labels.get(scheme, scheme)} | {_fmt(row['median_us'], 1)} | "
            f"{_fmt(row['p99_us'], 1)} | {_fmt(row['rps'], 0)} | "
            f"{_fmt(results.ratio('flask', case, scheme, 'flask_httpauth'))} | "
            f"{_fmt(results.ratio('flask', case, scheme, 'flask_floor'))} |"
        )
    return lines


def throughput_table(results: Results) -> list[str]:
    threads = sorted({key[2] for key in results.throughput})
    head = " | ".join(f"{n} thread{'s' if n > 1 else ''} req/s" for n in threads)
    lines = [
        f"| scheme | {head} | {threads[-1]} threads × DRF token |",
        "| --- |" + " ---: |" * (len(threads) + 1),
    ]
    for scheme in results.schemes("postgres"):
        if results.rps(scheme, threads[0]) is None:
            continue
        rates = " | ".join(_fmt(results.rps(scheme, n), 0) for n in threads)
        ratio = results.rps_ratio(scheme, "drf_token", threads[-1])
        label = results.labels.get(scheme, scheme) + (" ¹" if scheme == "legacy" else "")
        lines.append(f"| {label} | {rates} | {_fmt(ratio)} |")
    return lines


def legacy_table(results: Results) -> list[str]:
    lines = [
        "| database | case | django-keysmith 0.1.2 × DRF token | keysmith defaults × DRF token "
        "| keysmith faster by |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for db in results.dbs():
        for case, title in CASE_TITLES.items():
            legacy = results.ratio(db, case, "legacy", "drf_token")
            if legacy is None:
                continue
            current = results.ratio(db, case, "ks_default", "drf_token")
            speedup = speedup_over_legacy(results, db, case)
            lines.append(
                f"| {DB_NAMES[db]} | {title} | {_fmt(legacy)} | {_fmt(current)} | "
                f"{_fmt(speedup, 1, '×')} |"
            )
    return lines


def versions_table(versions: Mapping[str, Mapping[str, str]]) -> list[str]:
    lines = ["| process | package | version |", "| --- | --- | --- |"]
    for stack, found in versions.items():
        for name, version in sorted(found.items()):
            lines.append(f"| {STACK_TITLES.get(stack, stack)} | {name} | {version} |")
    return lines


def notes(results: Results) -> list[str]:
    return [
        f"- **{results.labels[key]}**: {results.notes[key]}"
        for key in ordered(results.notes)
        if results.notes[key]
    ]


def render(
    results: Results, checks: list[Check], machine: Mapping[str, Any], method: Iterable[str]
) -> str:
    lines = [
        "# keysmith benchmarks",
        "",
        "Generated by `nox -s bench` (`make bench`); do not edit by hand.",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in machine.items()]
    lines += ["", "## Method", "", *method, "", "## Targets", "", *table(checks), ""]
    lines += [
        "Lines in parentheses are evidence, not targets: the same bound taken against a floor "
        "that does only the least any correct scheme must do (see Schemes), which shows "
        "whether the target can be met at all.",
        "",
    ]
    for db in results.dbs():
        lines += [f"## Django REST framework on {DB_NAMES[db]}", ""]
        for case, title in CASE_TITLES.items():
            if any(results.row(db, case, s) for s in results.schemes(db)):
                lines += [f"### {DB_NAMES[db]}: {title}", "", *latency_table(results, db, case), ""]
        lines += [
            "¹ measured in its own virtualenv and process; its ratios are to the DRF token and "
            "no-authentication views measured in that same process.",
            "",
        ]
    if results.throughput:
        lines += [
            "## PostgreSQL: threads sharing one token (valid)",
            "",
            *throughput_table(results),
            "",
        ]
    if any(key[0] == "legacy" for key in results.latency):
        lines += ["## keysmith against django-keysmith 0.1.2", "", *legacy_table(results), ""]
    if "asgi" in {key[1] for key in results.latency}:
        lines += ["## ASGI (Starlette route)", ""]
        for case, title in CASE_TITLES.items():
            lines += [f"### ASGI: {title}", "", *asgi_table(results, case), ""]
    if "flask" in {key[1] for key in results.latency}:
        lines += ["## Flask (one SQLite file through Flask-SQLAlchemy)", ""]
        for case, title in CASE_TITLES.items():
            if any(results.row("flask", case, s) for s in results.schemes("flask")):
                lines += [f"### Flask: {title}", "", *flask_table(results, case), ""]
    lines += report_fastapi.sections(results)
    lines += [
        "## Schemes",
        "",
        *notes(results),
        "",
        "## Versions",
        "",
        *versions_table(results.versions),
        "",
    ]
    return "\n".join(lines)
