"""The work item's targets, checked against one run's results."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.results import Results

DB_NAMES = {
    "sqlite": "SQLite",
    "postgres": "PostgreSQL",
    "fastapi_sqlite": "FastAPI on SQLite",
    "fastapi_postgres": "FastAPI on PostgreSQL",
}
VARIANTS = (("ks_default", "defaults"), ("ks_audit_off", "audit off"))


@dataclass(frozen=True)
class Check:
    target: str
    measured: str
    holds: bool | None  # None: not measured in this run


def check(
    target: str, value: float | None, limit: float | None, *, at_least: bool = False
) -> Check:
    """``limit`` None: a figure shown for what it tells, with no bound to hold."""
    if value is None:
        return Check(target, "not measured", None)
    if limit is None:
        return Check(target, f"{value:.2f}×", None)
    return Check(target, f"{value:.2f}×", value >= limit if at_least else value <= limit)


def speedup_over_legacy(results: Results, db: str, case: str = "valid") -> float | None:
    """django-keysmith 0.1.2 over keysmith, each as a multiple of DRF's token in its own process."""
    legacy = results.ratio(db, case, "legacy", "drf_token")
    current = results.ratio(db, case, "ks_default", "drf_token")
    return None if legacy is None or not current else legacy / current


def database_checks(results: Results, db: str) -> list[Check]:
    name, ratio = DB_NAMES[db], results.ratio
    found = [
        check(f"{name}: defaults ≤ 1.5 × DRF token (valid)",
              ratio(db, "valid", "ks_default", "drf_token"), 1.5),
        check(f"{name}: audit off ≤ 1.1 × DRF token (valid)",
              ratio(db, "valid", "ks_audit_off", "drf_token"), 1.1),
        check(f"{name}: audit off below knox (valid)",
              ratio(db, "valid", "ks_audit_off", "knox"), 0.999),
        check(f"{name}: audit off below djangorestframework-api-key (valid)",
              ratio(db, "valid", "ks_audit_off", "api_key"), 0.999),
        check(f"{name}: ≥ 50 × faster than django-keysmith 0.1.2 (valid; value: times faster)",
              speedup_over_legacy(results, db), 50, at_least=True),
    ]  # fmt: skip
    for variant, label in VARIANTS:
        found += [
            check(f"{name}: wrong secret on a token in use, {label} ≤ 1.2 × DRF token",
                  ratio(db, "wrong_secret", variant, "drf_token"), 1.2),
            check(f"{name}: malformed, {label} ≤ 1.05 × no authentication",
                  ratio(db, "malformed", variant, "floor"), 1.05),
            # Evidence, not targets: the same bound against DRF's own cost of answering 401,
            # and against that plus the parse every refusal of a malformed token needs.
            check(f"{name}: (malformed, {label} ≤ 1.05 × refusal floor)",
                  ratio(db, "malformed", variant, "refusal"), 1.05),
            check(f"{name}: (malformed, {label} ≤ 1.05 × refusal floor + parse)",
                  ratio(db, "malformed", variant, "refusal_parse"), 1.05),
        ]  # fmt: skip
    found += [
        check(f"{name}: forged secret on a live prefix, defaults ≤ 2 × a valid request",
              ratio(db, "forged", "ks_default", "ks_default", base_case="valid"), 2.0),
        check(f"{name}: forged secret, django-keysmith's PBKDF2 settings past the failure "
              "budget ≤ 2 × a valid request",
              ratio(db, "forged", "ks_pbkdf2", "ks_pbkdf2", base_case="valid"), 2.0),
        # Evidence: what each forged secret would cost without the budget.
        check(f"{name}: (forged secret, PBKDF2 without the failure budget, × a valid request)",
              ratio(db, "forged", "ks_pbkdf2_unbounded", "ks_pbkdf2_unbounded",
                    base_case="valid"), None),
    ]  # fmt: skip
    # Evidence: whether the target is reachable at all, by the least any scheme must do.
    found.append(
        check(f"{name}: (malformed, refusal floor + parse ≤ 1.05 × no authentication)",
              ratio(db, "malformed", "refusal_parse", "floor"), 1.05)
    )  # fmt: skip
    return found


def checks(results: Results) -> list[Check]:
    found: list[Check] = []
    for db in results.dbs():
        found += database_checks(results, db)
    for variant, label in VARIANTS:
        found.append(
            check(f"PostgreSQL, 8 threads, {label}: ≥ 0.8 × DRF token's throughput",
                  results.rps_ratio(variant, "drf_token", 8), 0.8, at_least=True)
        )  # fmt: skip

    def direct(scheme: str) -> float | None:
        return results.ratio("asgi", "valid", scheme, results.asgi_base(scheme))

    found += [
        check("ASGI, in-memory store ≤ 1.3 × unauthenticated route (valid, direct ASGI calls)",
              direct("asgi_memory"), 1.3),
        # Evidence: whether that target is reachable at all, by the least any check must do.
        check("(ASGI, irreducible token check: header + parse + SHA-256 compare "
              "≤ 1.3 × unauthenticated route; valid, direct ASGI calls)",
              direct("asgi_minimal"), 1.3),
        check("ASGI, in-memory store ≤ 1.3 × unauthenticated route (valid, via httpx)",
              direct("asgi_memory_httpx"), 1.3),
    ]  # fmt: skip
    for db in results.fastapi_dbs():
        found += fastapi_checks(results, db)
    return found + flask_checks(results)


def flask_checks(results: Results) -> list[Check]:
    def against(scheme: str, base: str, case: str = "valid") -> float | None:
        return results.ratio("flask", case, scheme, base)

    return [
        check("Flask, keysmith defaults ≤ 1.2 × Flask-HTTPAuth token, Flask-SQLAlchemy lookup "
              "(valid)", against("flask_keysmith", "flask_httpauth"), 1.2),
        check("(Flask, keysmith audit off × Flask-HTTPAuth token, Flask-SQLAlchemy lookup; "
              "valid)", against("flask_keysmith_audit_off", "flask_httpauth"), None),
        # Evidence: against the cheapest hand-written scheme, one Core SELECT of plain text.
        check("(Flask, keysmith defaults × Flask-HTTPAuth token, SQLAlchemy Core lookup; valid)",
              against("flask_keysmith", "flask_httpauth_core"), None),
        check("(Flask, keysmith defaults: wrong secret on a token in use × a valid request)",
              results.ratio("flask", "wrong_secret", "flask_keysmith", "flask_keysmith",
                            base_case="valid"), None),
    ]  # fmt: skip


KEYSMITH_APPS = (("fa_keysmith", "dependency"), ("fa_keysmith_mw", "middleware"))
# The peer a keysmith request is held against: its cache without its random sleep, the
# fastest keyshield gets; the "(...)" lines show it as shipped.
KEYSHIELD = "fa_keyshield_cache_nodelay"


def fastapi_checks(results: Results, db: str) -> list[Check]:
    """The SQL path's targets: the floor is one plaintext indexed SELECT with the same driver."""
    name, ratio, flight = DB_NAMES[db], results.ratio, results.in_flight_ratio
    found: list[Check] = []
    for scheme, via in KEYSMITH_APPS:
        found += [
            check(f"{name}: keysmith ({via}) ≤ 1.3 × one indexed read (valid)",
                  ratio(db, "valid", scheme, "fa_floor"), 1.3),
            check(f"{name}: keysmith ({via}), wrong secret ≤ 1.3 × one indexed read",
                  ratio(db, "wrong_secret", scheme, "fa_floor"), 1.3),
            check(f"{name}: keysmith ({via}), revoked ≤ 1.3 × one indexed read",
                  ratio(db, "revoked", scheme, "fa_floor"), 1.3),
            check(f"{name}: keysmith ({via}), 50 in flight ≥ 0.7 × one indexed read's throughput",
                  flight(db, scheme, "fa_floor"), 0.7, at_least=True),
            check(f"{name}: keysmith ({via}), malformed ≤ 1.1 × no authentication",
                  ratio(db, "malformed", scheme, "fa_none"), 1.1),
            check(f"{name}: keysmith ({via}), no token ≤ 1.1 × no authentication",
                  ratio(db, "missing", scheme, "fa_none"), 1.1),
            check(f"{name}: keysmith ({via}) ≥ 5 × faster than keyshield with its cache "
                  "(valid; value: times faster)",
                  ratio(db, "valid", KEYSHIELD, scheme), 5, at_least=True),
            check(f"{name}: keysmith ({via}) ≥ 5 × keyshield's throughput with its cache, "
                  "50 in flight", flight(db, scheme, KEYSHIELD), 5, at_least=True),
        ]  # fmt: skip
    found += [
        # Evidence: what bounds the per-request and in-flight targets, from the same run.
        check(f"{name}: (keysmith (dependency), audit off ≤ 1.3 × one indexed read; valid)",
              ratio(db, "valid", "fa_keysmith_audit_off", "fa_floor"), 1.3),
        check(f"{name}: (keysmith (dependency), in-memory store, no database, × one indexed "
              "read; valid)", ratio(db, "valid", "fa_keysmith_memory", "fa_floor"), None),
        check(f"{name}: (the store's read alone ≤ 1.3 × the floor's read alone)",
              ratio(db, "valid", "fa_op_store_read", "fa_op_floor_read"), 1.3),
        check(f"{name}: (keysmith (dependency), audit off, 50 in flight ≥ 0.7 × one indexed "
              "read's throughput)", flight(db, "fa_keysmith_audit_off", "fa_floor"), 0.7,
              at_least=True),
        check(f"{name}: (keysmith (dependency), in-memory store, 50 in flight, × one indexed "
              "read's throughput)", flight(db, "fa_keysmith_memory", "fa_floor"), None),
        # Evidence: FastAPI's own price of a 401 (the floor refusing a missing header, no I/O).
        check(f"{name}: (a FastAPI 401 without any work ≤ 1.1 × no authentication)",
              ratio(db, "missing", "fa_floor", "fa_none"), 1.1),
        check(f"{name}: (keysmith (dependency) × keyshield as shipped, its cache with its "
              "0.1-0.3 s sleep; valid, value: times faster)",
              ratio(db, "valid", "fa_keyshield_cache", "fa_keysmith"), None),
    ]  # fmt: skip
    return found


def table(found: list[Check]) -> list[str]:
    lines = ["| target | measured | holds? |", "| --- | ---: | :---: |"]
    for item in found:
        if item.holds is None:
            verdict = "n/a" if item.measured == "not measured" else "–"
        else:
            verdict = "yes" if item.holds else "**no**"
        lines.append(f"| {item.target} | {item.measured} | {verdict} |")
    return lines
