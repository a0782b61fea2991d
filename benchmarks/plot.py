"""A PNG of the per-request medians: one panel per database, one group of bars per case."""

from __future__ import annotations

from pathlib import Path

from benchmarks import report_fastapi
from benchmarks.report import CASE_TITLES
from benchmarks.results import Results
from benchmarks.targets import DB_NAMES

SHORT = {
    "wrong_secret": "wrong secret",
    "forged": "forged secret",
    "unknown_prefix": "unknown prefix",
    "missing": "no token",
}
# Twenty distinct colours: a panel holds more schemes than matplotlib's default ten.
PALETTE = "tab20"


PANEL_TITLES = {"asgi": "ASGI (Starlette route)", "flask": "Flask (SQLite via Flask-SQLAlchemy)"}


def plot(results: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    measured = {k[1] for k in results.latency}
    panels = [*results.dbs(), *(name for name in ("asgi", "flask") if name in measured)]
    panels += results.fastapi_dbs()
    figure, axes = pyplot.subplots(len(panels), 1, figsize=(14, 4.2 * len(panels)), squeeze=False)
    for axis, db in zip(axes[:, 0], panels, strict=True):
        schemes = results.schemes(db)
        titles = report_fastapi.CASE_TITLES if db in results.fastapi_dbs() else CASE_TITLES
        cases = list(titles)  # the report's order
        width = 0.8 / max(1, len(schemes))
        colours = matplotlib.colormaps[PALETTE].colors  # type: ignore[attr-defined]
        for index, scheme in enumerate(schemes):
            values = [(results.row(db, case, scheme) or {}).get("median_us", 0) for case in cases]
            positions = [c + (index - len(schemes) / 2 + 0.5) * width for c in range(len(cases))]
            label = results.labels.get(scheme, scheme)
            axis.bar(positions, values, width, label=label, color=colours[index % len(colours)])
        axis.set_yscale("log")
        axis.set_ylabel("median µs per request (log)")
        axis.set_xticks(range(len(cases)), [SHORT.get(c, c) for c in cases], fontsize=9)
        axis.set_title(DB_NAMES.get(db, PANEL_TITLES.get(db, db)))
        axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        axis.grid(axis="y", which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
