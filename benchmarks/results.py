"""The merged results of every benchmark process, and ratios taken within one process."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Display order, floors first; the legacy process's own floor and DRF token rows are its
# baseline only.
ORDER = (
    "floor", "refusal", "refusal_parse", "drf_token", "api_key", "knox", "ks_default",
    "ks_audit_off", "ks_hmac", "ks_pbkdf2", "ks_pbkdf2_unbounded", "ks_django", "legacy",
    "asgi_floor", "asgi_minimal", "asgi_memory",
    "asgi_sqlite", "asgi_sqlite_audit_off", "asgi_floor_httpx", "asgi_memory_httpx",
    "flask_floor", "flask_httpauth", "flask_httpauth_core", "flask_keysmith",
    "flask_keysmith_audit_off",
    "fa_none", "fa_floor", "fa_keysmith", "fa_keysmith_mw", "fa_keysmith_audit_off",
    "fa_keysmith_memory", "fa_keyshield", "fa_keyshield_cache", "fa_keyshield_cache_nodelay",
    "fa_op_floor_read", "fa_op_store_read", "fa_op_authenticate", "fa_op_resolve",
    "fa_op_resolve_memory",
)  # fmt: skip
# The FastAPI suite's databases, named apart from the Django runs' "sqlite" and "postgres".
FASTAPI_DBS = ("fastapi_sqlite", "fastapi_postgres")


def ordered(schemes: Iterable[str]) -> list[str]:
    """``schemes`` in display order; any scheme ``ORDER`` does not name comes last, sorted."""
    present = set(schemes)
    known = [s for s in ORDER if s in present]
    return known + sorted(present - set(known))


@dataclass
class Results:
    """Rows keyed by (stack, db, case, scheme); ``stack`` is the process they were measured in."""

    latency: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    throughput: dict[tuple[str, str, int], dict[str, Any]] = field(default_factory=dict)
    # FastAPI suite: requests in flight at once, keyed by (db, scheme).
    in_flight: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    versions: dict[str, dict[str, str]] = field(default_factory=dict)
    budgets: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, paths: Iterable[Path]) -> Results:
        results = cls()
        for path in paths:
            results.add(json.loads(path.read_text(encoding="utf-8")))
        return results

    def add(self, run: dict[str, Any]) -> None:
        stack, db = run["stack"], run["db"]
        for scheme in run["schemes"]:
            if stack != "legacy" or scheme["key"] == "legacy":
                self.labels[scheme["key"]] = scheme["label"]
                self.notes[scheme["key"]] = scheme["notes"]
        for row in run["latency"]:
            self.latency[(stack, db, row["case"], row["scheme"])] = row
        for row in run.get("throughput", []):
            self.throughput[(stack, row["scheme"], row["threads"])] = row
        for row in run.get("in_flight", []):
            self.in_flight[(db, row["scheme"])] = row
        self.versions.setdefault(stack, {}).update(run["versions"])
        self.budgets[f"{stack}/{db}"] = run["budget"]

    def stack_of(self, scheme: str) -> str:
        if scheme == "legacy":
            return "legacy"
        if scheme.startswith("flask_"):
            return "flask"
        if scheme.startswith("fa_"):
            return "fastapi"
        return "asgi" if scheme.startswith("asgi_") else "current"

    def row(self, db: str, case: str, scheme: str) -> dict[str, Any] | None:
        return self.latency.get((self.stack_of(scheme), db, case, scheme))

    def ratio(
        self, db: str, case: str, scheme: str, base: str, base_case: str | None = None
    ) -> float | None:
        """``scheme``'s median over ``base``'s, both from the process ``scheme`` ran in."""
        stack = self.stack_of(scheme)
        top = self.latency.get((stack, db, case, scheme))
        bottom = self.latency.get((stack, db, base_case or case, base))
        if top is None or bottom is None or not bottom["median_us"]:
            return None
        return float(top["median_us"]) / float(bottom["median_us"])

    @staticmethod
    def asgi_base(scheme: str) -> str:
        """The unauthenticated route measured the same way (directly, or through httpx)."""
        return "asgi_floor_httpx" if scheme.endswith("_httpx") else "asgi_floor"

    def rps(self, scheme: str, threads: int) -> float | None:
        row = self.throughput.get((self.stack_of(scheme), scheme, threads))
        return None if row is None else float(row["rps"])

    def rps_ratio(self, scheme: str, base: str, threads: int) -> float | None:
        top = self.throughput.get((self.stack_of(scheme), scheme, threads))
        bottom = self.throughput.get((self.stack_of(scheme), base, threads))
        if top is None or bottom is None or not bottom["rps"]:
            return None
        return float(top["rps"]) / float(bottom["rps"])

    def in_flight_ratio(self, db: str, scheme: str, base: str) -> float | None:
        """``scheme``'s throughput over ``base``'s, with as many requests in flight."""
        top, bottom = self.in_flight.get((db, scheme)), self.in_flight.get((db, base))
        if top is None or bottom is None or not bottom["rps"]:
            return None
        return float(top["rps"]) / float(bottom["rps"])

    def fastapi_dbs(self) -> list[str]:
        return [db for db in FASTAPI_DBS if any(key[1] == db for key in self.latency)]

    def schemes(self, db: str) -> list[str]:
        return ordered({key[3] for key in self.latency if key[1] == db})

    def dbs(self) -> list[str]:
        return [db for db in ("sqlite", "postgres") if any(key[1] == db for key in self.latency)]
