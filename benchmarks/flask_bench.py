"""Flask: a route with no authentication, Flask-HTTPAuth's ``HTTPTokenAuth`` looking a
plaintext token up in an indexed column (what a Flask user writes by hand), and keysmith's
``@keysmith.required``, all on one SQLite file through Flask-SQLAlchemy; each request a call of
the app's WSGI callable in-process (no server, no HTTP client)."""

from __future__ import annotations

import argparse
import json
import platform
import secrets
import sqlite3
import sys
from collections.abc import Callable
from importlib import metadata
from typing import Any

from flask import Flask
from flask_httpauth import HTTPTokenAuth
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, bindparam, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.test import EnvironBuilder

from benchmarks import tokens
from benchmarks.timing import Budget, interleaved, summary
from keysmith.core import NullAuditSink, TokenPolicy
from keysmith.flask import Keysmith, current_token
from keysmith.sqlalchemy import create_all

CASES = ("valid", "malformed", "wrong_secret", "unknown_prefix", "revoked")
HEADER = "X-Keysmith-Token"
Request = Callable[[], int]


class Base(DeclarativeBase):
    pass


class ApiToken(Base):
    """The hand-written scheme's table: the token in plain text, unique (so indexed)."""

    __tablename__ = "bench_api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(128), unique=True)
    owner: Mapped[str] = mapped_column(String(64))
    revoked: Mapped[bool] = mapped_column(default=False)


def base_app(path: str) -> tuple[Flask, SQLAlchemy]:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    db = SQLAlchemy(app, model_class=Base)
    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _normal_sync(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return app, db


def floor_app(path: str) -> Flask:
    app, _ = base_app(path)

    @app.get("/")
    def index() -> dict[str, bool]:
        return {"ok": True}

    return app


def httpauth_app(path: str, *, orm: bool) -> Flask:
    app, db = base_app(path)
    auth = HTTPTokenAuth(header=HEADER)
    table = ApiToken.__table__

    if orm:

        @auth.verify_token
        def verify_orm(token: str) -> Any:
            found = db.session.scalar(
                select(ApiToken).where(ApiToken.token == token, ApiToken.revoked.is_(False))
            )
            return found.owner if found is not None else None

    else:
        query = select(table.c.owner).where(table.c.token == bindparam("token"), ~table.c.revoked)

        @auth.verify_token
        def verify_core(token: str) -> Any:
            with db.engine.connect() as connection:
                return connection.execute(query, {"token": token}).scalar()

    @app.get("/")
    @auth.login_required
    def index() -> dict[str, Any]:
        return {"ok": True, "owner": auth.current_user()}

    return app


def keysmith_app(path: str, *, audit: bool) -> tuple[Flask, Keysmith]:
    app, db = base_app(path)
    options: dict[str, Any] = {} if audit else {"sink": NullAuditSink()}
    keysmith = Keysmith(app, db=db, policy=TokenPolicy(), **options)

    @app.get("/")
    @keysmith.required
    def index() -> dict[str, Any]:
        return {"ok": True, "owner": current_token.prefix}

    return app, keysmith


def wsgi_call(app: Flask, raw: str) -> Request:
    environ = EnvironBuilder(
        path="/", headers={HEADER: raw, "User-Agent": "keysmith-bench/1.0"}
    ).get_environ()
    environ["REMOTE_ADDR"] = "127.0.0.1"
    status: list[str] = []

    def start_response(line: str, headers: Any, exc_info: Any = None) -> Any:
        status.append(line)
        return lambda data: None

    def call() -> int:
        status.clear()
        body = app(dict(environ), start_response)
        try:
            for _ in body:
                pass
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return int(status[0].split(" ", 1)[0])

    return call


def plain_credentials(app: Flask) -> dict[str, str]:
    db: SQLAlchemy = app.extensions["sqlalchemy"]
    raws = {"valid": secrets.token_urlsafe(32), "revoked": secrets.token_urlsafe(32)}
    with app.app_context():
        db.session.add(ApiToken(token=raws["valid"], owner="bench"))
        db.session.add(ApiToken(token=raws["revoked"], owner="bench", revoked=True))
        db.session.commit()
    other = raws["valid"]
    return {
        **raws,
        "malformed": other[:-1] + ("A" if other[-1] != "A" else "B"),
        "wrong_secret": secrets.token_urlsafe(32),
        "unknown_prefix": secrets.token_urlsafe(32),
    }


def keysmith_credentials(app: Flask, keysmith: Keysmith) -> dict[str, str]:
    service = keysmith.state(app).service
    _, raw = service.create(name="bench")
    service.authenticate(raw, audit=False)  # in use before the wrong-secret case
    revoked, revoked_raw = service.create(name="bench-revoked")
    service.authenticate(revoked_raw, audit=False)
    service.revoke(revoked)
    return {
        "valid": raw,
        "malformed": tokens.broken_checksum(raw),
        "wrong_secret": tokens.wrong_secret(raw),
        "unknown_prefix": tokens.unknown_prefix(raw),
        "revoked": revoked_raw,
    }


SCHEMES = [
    {"key": "flask_floor", "label": "Flask route, no authentication", "notes": ""},
    {
        "key": "flask_httpauth",
        "label": "Flask-HTTPAuth token, plaintext lookup (Flask-SQLAlchemy)",
        "notes": (
            "HTTPTokenAuth(header=...) whose verify_token looks the token up in a unique "
            "(indexed) plaintext column through the Flask-SQLAlchemy session, as Flask users "
            "write it by hand; no hashing, no expiry, no audit"
        ),
    },
    {
        "key": "flask_httpauth_core",
        "label": "Flask-HTTPAuth token, plaintext lookup (SQLAlchemy Core)",
        "notes": (
            "the same lookup as one SQLAlchemy Core SELECT on a pooled connection, without the "
            "ORM session: the cheapest hand-written scheme"
        ),
    },
    {
        "key": "flask_keysmith",
        "label": "keysmith @keysmith.required (defaults: SHA-256, audit on, buffered)",
        "notes": "Keysmith(app, db=db): the tokens in the app's Flask-SQLAlchemy database",
    },
    {
        "key": "flask_keysmith_audit_off",
        "label": "keysmith @keysmith.required, audit off",
        "notes": "",
    },
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sqlite", required=True, help="path of the SQLite file to create")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    budget = Budget.from_env(quick=args.quick)
    with sqlite3.connect(args.sqlite) as connection:
        connection.execute("PRAGMA journal_mode=WAL")  # persistent in the file
    floor = floor_app(args.sqlite)
    orm = httpauth_app(args.sqlite, orm=True)
    core = httpauth_app(args.sqlite, orm=False)
    with orm.app_context():
        orm.extensions["sqlalchemy"].create_all()
    with_audit, keysmith = keysmith_app(args.sqlite, audit=True)
    without_audit, keysmith_off = keysmith_app(args.sqlite, audit=False)
    create_all(keysmith.state(with_audit).engine)
    plain = plain_credentials(orm)
    apps = {
        "flask_floor": (floor, plain),
        "flask_httpauth": (orm, plain),
        "flask_httpauth_core": (core, plain),
        "flask_keysmith": (with_audit, keysmith_credentials(with_audit, keysmith)),
        "flask_keysmith_audit_off": (
            without_audit,
            keysmith_credentials(without_audit, keysmith_off),
        ),
    }
    rows = []
    for case in CASES:
        requests = {key: wsgi_call(app, raws[case]) for key, (app, raws) in apps.items()}
        for key, cell in interleaved(requests, budget).items():
            expected = {200} if case == "valid" or key == "flask_floor" else {401}
            if cell.statuses != expected:
                raise SystemExit(f"{key}/{case} answered {sorted(cell.statuses)}, not {expected}")
            rows.append({"scheme": key, "case": case, "statuses": sorted(cell.statuses)})
            rows[-1] |= summary(cell.samples)
            print(f"  flask {case:14} {key:26} {rows[-1]['median_us']:>9.1f} µs", flush=True)
    keysmith.close(with_audit)  # the buffered audit rows, written out as at exit
    found = {"python": platform.python_version()}
    for name in (
        "flask", "werkzeug", "flask-httpauth", "flask-sqlalchemy", "sqlalchemy", "keysmith-flask",
    ):  # fmt: skip
        found[name] = metadata.version(name)
    result = {
        "stack": "flask",
        "db": "flask",
        "versions": found,
        "budget": budget.as_dict(),
        "schemes": SCHEMES,
        "latency": rows,
    }
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
