"""Where an app's tokens live: a database URL, the app's Flask-SQLAlchemy engine, or a core
service handed over as it is (the in-memory store in tests)."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Flask
from sqlalchemy import Engine

from keysmith.core.audit import AuditSink, NullAuditSink
from keysmith.core.clock import Clock
from keysmith.core.errors import ConfigurationError
from keysmith.core.policy import Admit, TokenPolicy
from keysmith.core.service import TokenService
from keysmith.flask.settings import Settings
from keysmith.sqlalchemy import make_engine, service


def flask_sqlalchemy_engine(app: Flask, db: Any, bind_key: str | None) -> Engine:
    """The engine Flask-SQLAlchemy made for ``app`` (``bind_key``: one of its binds)."""
    try:
        with app.app_context():
            engines = db.engines
    except RuntimeError as error:
        raise ConfigurationError(
            "Flask-SQLAlchemy is not set up on this app: call db.init_app(app) (or "
            "SQLAlchemy(app)) before keysmith.init_app(app)."
        ) from error
    except AttributeError:
        raise ConfigurationError(
            f"db must be the app's flask_sqlalchemy.SQLAlchemy object, got {db!r}."
        ) from None
    if bind_key not in engines:
        raise ConfigurationError(
            f"KEYSMITH_SQLALCHEMY_BIND: Flask-SQLAlchemy has no bind {bind_key!r} "
            f"(its binds: {', '.join(repr(key) for key in engines)})."
        )
    # A copy sharing the app's pool: the token hashes keysmith writes stay out of error
    # messages and echoed SQL, while the app's own engine is left as the app set it.
    engine: Engine = engines[bind_key].execution_options()
    engine.hide_parameters = True
    return engine


def build_service(
    app: Flask,
    settings: Settings,
    *,
    db: Any,
    given: TokenService[Any] | None,
    policy: TokenPolicy | None,
    admit: Admit | None,
    sink: AuditSink | None,
    clock: Clock | None,
) -> tuple[TokenService[Any], Engine | None, bool]:
    """The app's service, the engine the ``flask keysmith`` command works on (None for a
    store that is not SQL) and whether keysmith made that engine (and so disposes of it)."""
    if given is not None:
        if db is not None or settings.database_url is not None or admit is not None:
            raise ConfigurationError(
                "service= is the whole storage: pass no db=, KEYSMITH_DATABASE_URL or admit= "
                "with it (put admit in its TokenPolicy)."
            )
        return given, getattr(given.store, "engine", None), False
    if policy is None:
        policy = settings.policy()
    if admit is not None:
        # The sync service calls it in the request's thread; ensure_sync runs an async def.
        policy = dataclasses.replace(policy, admit=app.ensure_sync(admit))
    if db is not None:
        if settings.database_url is not None:
            raise ConfigurationError(
                "KEYSMITH_DATABASE_URL and db= name two databases: give one of them."
            )
        engine, owned = flask_sqlalchemy_engine(app, db, settings.bind_key), False
    else:
        engine, owned = make_engine(settings.database_url), True
    built = service(
        engine,
        policy=policy,
        sink=sink if settings.audit else NullAuditSink(),
        clock=clock,
        audit_buffer_seconds=settings.audit_buffer_seconds,
        audit_write_timeout=settings.audit_write_timeout,
    )
    return built, engine, owned
