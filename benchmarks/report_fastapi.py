"""RESULTS.md's FastAPI sections: per database, one table per case and the in-flight table."""

from __future__ import annotations

from benchmarks.results import Results
from benchmarks.targets import DB_NAMES

CASE_TITLES = {
    "valid": "valid token",
    "missing": "no token",
    "malformed": "malformed token (bad checksum)",
    "wrong_secret": "well-formed token, wrong secret (token in use)",
    "unknown_prefix": "unknown prefix",
    "revoked": "revoked token",
}


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def case_table(results: Results, db: str, case: str) -> list[str]:
    lines = [
        "| scheme | median µs | p99 µs | req/s | × one indexed read | × no auth |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scheme in results.schemes(db):
        row = results.row(db, case, scheme)
        if row is None or is_operation(scheme):
            continue
        lines.append(
            f"| {results.labels.get(scheme, scheme)} | {_fmt(row['median_us'], 1)} | "
            f"{_fmt(row['p99_us'], 1)} | {_fmt(row['rps'], 0)} | "
            f"{_fmt(results.ratio(db, case, scheme, 'fa_floor'))} | "
            f"{_fmt(results.ratio(db, case, scheme, 'fa_none'))} |"
        )
    return lines


def is_operation(scheme: str) -> bool:
    return scheme.startswith("fa_op_")


def operations_table(results: Results, db: str) -> list[str]:
    lines = [
        "| operation | median µs | p99 µs | × the floor's read alone |",
        "| --- | ---: | ---: | ---: |",
    ]
    for scheme in filter(is_operation, results.schemes(db)):
        row = results.row(db, "valid", scheme)
        if row is not None:
            ratio = results.ratio(db, "valid", scheme, "fa_op_floor_read")
            lines.append(
                f"| {results.labels.get(scheme, scheme)} | {_fmt(row['median_us'], 1)} | "
                f"{_fmt(row['p99_us'], 1)} | {_fmt(ratio)} |"
            )
    return lines


def in_flight_table(results: Results, db: str) -> list[str]:
    lines = [
        "| scheme | requests in flight | req/s (answered 200) | × one indexed read | failures |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for scheme in results.schemes(db):
        row = results.in_flight.get((db, scheme))
        if row is None:
            continue
        failures = ", ".join(str(status) for status in row.get("failures", [])) or "none"
        lines.append(
            f"| {results.labels.get(scheme, scheme)} | {row['in_flight']} | {_fmt(row['rps'], 0)} "
            f"| {_fmt(results.in_flight_ratio(db, scheme, 'fa_floor'))} | {failures} |"
        )
    return lines


def sections(results: Results) -> list[str]:
    lines: list[str] = []
    for db in results.fastapi_dbs():
        name = DB_NAMES[db]
        lines += [f"## {name} (direct ASGI calls)", ""]
        for case, title in CASE_TITLES.items():
            if any(results.row(db, case, scheme) for scheme in results.schemes(db)):
                lines += [f"### {name}: {title}", "", *case_table(results, db, case), ""]
        lines += [f"### {name}: valid requests in flight", "", *in_flight_table(results, db), ""]
        lines += [f"### {name}: operations of a valid request, each on its own", ""]
        lines += [*operations_table(results, db), ""]
    return lines
