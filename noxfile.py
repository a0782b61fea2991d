"""Every automated check of the workspace, one nox session each; CI runs them all."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

# Older nox does not pass --clear to `uv venv`, which uv >= 0.8 needs to recreate a session venv.
nox.needs_version = ">=2026.2.9"
nox.options.default_venv_backend = "uv"
nox.options.error_on_external_run = True

ROOT = Path(__file__).resolve().parent

LINT_PATHS = ("packages", "tests", "benchmarks", "examples", "scripts", "noxfile.py")
# Distributions whose src folders are checked with mypy --strict.
TYPED_PACKAGES = ("keysmith-core", "keysmith-asgi", "keysmith-sqlalchemy", "keysmith-flask")
TYPED_EXTRAS = ("scripts",)
# Checked in a second mypy run, with django-stubs' plugin.
DJANGO_TYPED_PACKAGES = ("keysmith-django", "keysmith-drf")
# What the framework-free core must run without.
FRAMEWORK_MODULES = ("django", "rest_framework", "starlette", "fastapi", "sqlalchemy")
CORE_TEST_PATHS = ("tests/test_core", "tests/contract")
# What runs against the built wheels instead of the editable sources.
LAYOUT_TEST_PATHS = CORE_TEST_PATHS


def _sync(session: nox.Session, *groups: str, all_packages: bool = False) -> None:
    """Install the locked dependency groups (only those) into the session's venv."""
    args = ["uv", "sync", "--locked", "--no-default-groups"]
    for group in groups:
        args += ["--group", group]
    if all_packages:
        args.append("--all-packages")
    session.run_install(*args, env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location})


def _existing(session: nox.Session, paths: tuple[str, ...]) -> list[str]:
    found = [path for path in paths if (ROOT / path).exists()]
    if not found:
        session.error(f"none of {', '.join(paths)} exists")
    return found


@nox.session
def lint(session: nox.Session) -> None:
    _sync(session, "lint")
    paths = _existing(session, LINT_PATHS)
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session
def architecture(session: nox.Session) -> None:
    """The import contracts of pyproject.toml's [tool.importlinter]: who may import whom."""
    _sync(session, "architecture", all_packages=True)
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    # The test tree is checked too, so everything it imports is installed.
    _sync(session, "dev", all_packages=True)
    src_dirs = [f"packages/{name}/src" for name in TYPED_PACKAGES]
    # mypy -p keysmith would stop at the first folder holding the namespace; file paths plus
    # MYPYPATH let explicit_package_bases name every module keysmith.<...> across all src folders
    # (and the test helpers support.<...>, as the tests import them).
    roots = [*sorted(ROOT.glob("packages/*/src")), ROOT / "tests"]
    mypypath = os.pathsep.join(str(root) for root in roots)
    session.run("mypy", *src_dirs, *TYPED_EXTRAS, env={"MYPYPATH": mypypath})
    # The Django distributions: django-stubs' plugin needs its own config and a settings module.
    django_env = {"MYPYPATH": mypypath, "PYTHONPATH": str(ROOT / "tests")}
    django_config = "packages/keysmith-django/pyproject.toml"
    django_dirs = [f"packages/{name}/src" for name in DJANGO_TYPED_PACKAGES]
    session.run("mypy", "--config-file", django_config, *django_dirs, "tests", env=django_env)


@nox.session
def tests_core(session: nox.Session) -> None:
    """The core and the store contract, with no framework installed."""
    _sync(session, "test")
    session.install("--no-deps", "-e", "packages/keysmith-core")
    session.run("python", "-c", _assert_not_importable(FRAMEWORK_MODULES))
    session.run("pytest", *_existing(session, CORE_TEST_PATHS), *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite, every distribution installed editable from the lock."""
    _sync(session, "dev", all_packages=True)
    session.run("pytest", *(session.posargs or ["tests"]))


@nox.session
def layout(session: nox.Session) -> None:
    """Build every distribution, check the keysmith namespace, test against the wheels."""
    dist = Path(session.create_tmp()) / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    # Default `uv build` makes the sdist first and the wheel from it, so a file the sdist
    # forgets shows up as a test failure here.
    session.run("uv", "build", "--all-packages", "--out-dir", str(dist))
    wheels = sorted(str(path) for path in dist.glob("*.whl"))
    session.run("python", "scripts/check_layout.py", *wheels)

    _sync(session, "test")
    # Wheels bring their dependencies from their own metadata (so a missing one fails here),
    # held to the versions in uv.lock.
    constraints = Path(session.create_tmp()) / "constraints.txt"
    session.run(
        "uv", "export", "--locked", "--all-packages", "--all-extras", "--all-groups",
        "--no-emit-workspace", "--no-hashes", "--quiet", "--output-file", str(constraints),
    )  # fmt: skip
    session.install("--constraint", str(constraints), *wheels)
    # Fails unless every keysmith module imported comes from the installed wheels.
    session.run("python", "-c", _assert_installed_from(session.virtualenv.location))
    session.run("pytest", *_existing(session, LAYOUT_TEST_PATHS), *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    _sync(session, "docs")
    site = Path(session.create_tmp()) / "site"
    # The theme's end-of-life notice is a banner, not a build warning; keep it out of CI logs.
    session.run(
        "mkdocs", "build", "--strict", "--site-dir", str(site), env={"NO_MKDOCS_2_WARNING": "1"}
    )


def _assert_not_importable(modules: tuple[str, ...]) -> str:
    return (
        "import importlib.util, sys\n"
        f"found = [m for m in {modules!r} if importlib.util.find_spec(m) is not None]\n"
        "sys.exit(f'must not be installed here: {found}' if found else 0)\n"
    )


def _assert_installed_from(venv: str) -> str:
    return (
        "import os, sys, keysmith.core\n"
        "print('keysmith.core imported from', keysmith.core.__file__)\n"
        f"venv = os.path.realpath({venv!r})\n"
        "outside = [p for p in [*keysmith.__path__, keysmith.core.__file__]\n"
        "           if not os.path.realpath(p).startswith(venv + os.sep)]\n"
        "sys.exit(f'keysmith imported from outside the venv: {outside}' if outside else 0)\n"
    )


@nox.session
def tests_asgi(session: nox.Session) -> None:
    """The ASGI middleware, Starlette and FastAPI integrations, on the in-memory and SQL stores."""
    _sync(session, "test", "asgi")
    session.run("pytest", "tests/test_asgi", *session.posargs)


@nox.session
def tests_flask(session: nox.Session) -> None:
    """The Flask extension on the in-memory, SQLite and PostgreSQL stores, Flask-SQLAlchemy,
    `flask keysmith` and a WSGI server on 127.0.0.1; only keysmith-flask's own dependencies
    (no Django, no ASGI framework) are installed."""
    _sync(session, "test", "flask")
    session.run("python", "-c", _assert_not_importable(("django", "starlette", "fastapi")))
    session.run("pytest", "tests/test_flask", *session.posargs)


@nox.session
def tests_sqlalchemy(session: nox.Session) -> None:
    """The SQL stores, audit sink and CLI on SQLite and on a PostgreSQL server the run starts."""
    _sync(session, "test", "sqlalchemy")
    session.run("pytest", "tests/test_sqlalchemy", *session.posargs)


# Django's supported series, each on a Python it supports (6.x needs Python >= 3.12).
DJANGO_SERIES = {"4.2": "3.10", "5.2": "3.11", "6.1": "3.12"}
DJANGO_DATABASES = ("sqlite", "postgres")


def _interpreter(version: str) -> str:
    """A working ``pythonX.Y``: from PATH, else pyenv's versions folder, else the bare version.

    pyenv's shims are on PATH even for versions that are not selected, and then fail to run.
    """
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}"))
    for candidate in filter(None, candidates):
        works = subprocess.run([candidate, "-c", ""], capture_output=True, check=False)  # noqa: S603
        if works.returncode == 0:
            return str(candidate)
    return version


@nox.session
@nox.parametrize(
    ("python", "django", "db"),
    [
        nox.param(_interpreter(python), django, db, id=f"{django}-{db}")
        for django, python in DJANGO_SERIES.items()
        for db in DJANGO_DATABASES
    ],
)
def tests_django(session: nox.Session, django: str, db: str) -> None:
    """keysmith-django (with its admin, in a browser too) and keysmith-drf on one Django series
    and one database (PostgreSQL: a server the run starts itself)."""
    _sync(session, "test", "django", "drf", "browser")
    session.install(f"django~={django}.0")
    env = {"KEYSMITH_TEST_DB": db}
    paths = ("tests/test_django", "tests/test_django_admin", "tests/test_drf")
    session.run("pytest", *paths, *session.posargs, env=env)


@nox.session
def migrations(session: nox.Session) -> None:
    """The models and the migrations agree: makemigrations has nothing to write."""
    _sync(session, "django")
    env = {"DJANGO_SETTINGS_MODULE": "test_django.settings", "PYTHONPATH": str(ROOT / "tests")}
    session.run("django-admin", "makemigrations", "--check", "--dry-run", env=env)


# django-keysmith 0.1.2 installs as `keysmith` too, so it runs in a venv of its own, held to the
# bench session's Django (the newest it accepts), DRF and psycopg so only keysmith differs.
LEGACY_PACKAGE = "django-keysmith==0.1.2"
_LEGACY_PINS = (
    "from importlib.metadata import version as v\n"
    "django = v('django')\n"
    "print('django==' + django if int(django.split('.')[0]) < 6 else 'django<6',\n"
    "      'djangorestframework==' + v('djangorestframework'),\n"
    "      'psycopg[binary]==' + v('psycopg'))\n"
)


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """The side-by-side benchmarks (never part of CI): rewrites benchmarks/RESULTS.md and
    benchmarks/results.png. `nox -s bench -- --quick` for a short run; BENCH_REQUESTS,
    BENCH_ROUNDS, BENCH_CELL_SECONDS and BENCH_THREAD_SECONDS size a full one."""
    _sync(session, "bench")
    legacy = Path(session.create_tmp()) / "django-keysmith-0.1.2"
    legacy_python = legacy / "bin" / "python"
    pins = str(session.run("python", "-c", _LEGACY_PINS, silent=True)).split()
    session_python = Path(session.virtualenv.location) / "bin" / "python"
    session.run(
        "uv", "venv", "--quiet", "--clear", "--python", str(session_python), str(legacy),
        external=True,
    )  # fmt: skip
    session.run(
        "uv", "pip", "install", "--quiet", "--python", str(legacy_python), LEGACY_PACKAGE, *pins,
        external=True,
    )  # fmt: skip
    session.run(
        "python", "-m", "benchmarks.run", "--legacy-python", str(legacy_python), *session.posargs
    )


@nox.session(default=False)
def bench_scale(session: nox.Session) -> None:
    """keysmith on large tables (never part of CI): rewrites benchmarks/SCALE.md. Up to 1 M
    tokens and 10 M audit rows by default (long); `nox -s bench_scale -- --max 100000` stops
    at 100 k / 1 M."""
    _sync(session, "bench")
    session.run("python", "-m", "benchmarks.bench_scale", *session.posargs)
