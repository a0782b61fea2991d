"""Tokens in the application's own database, through its Flask-SQLAlchemy engine."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from keysmith.core import ConfigurationError
from keysmith.flask import Keysmith, current_token
from keysmith.sqlalchemy import audit_events, create_all, missing_tables


def make_app(url: str, **config: Any) -> tuple[Flask, SQLAlchemy, Any]:
    class Base(DeclarativeBase):
        pass

    db = SQLAlchemy(model_class=Base)

    class Note(db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "notes"
        id: Mapped[int] = mapped_column(primary_key=True)
        text: Mapped[str] = mapped_column(String(100))
        author: Mapped[str] = mapped_column(String(100))

    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI=url, KEYSMITH_HASH_ITERATIONS=1000, **config)
    db.init_app(app)
    keysmith = Keysmith(app, db=db)

    @app.post("/notes")
    @keysmith.required("write")
    def add_note() -> tuple[dict[str, Any], int]:
        db.session.add(Note(text="hello", author=current_token.prefix))
        db.session.commit()
        return {"notes": db.session.scalar(select(func.count()).select_from(Note))}, 201

    with app.app_context():
        db.drop_all()  # the app's own tables only: a test starts with no notes
        db.create_all()
    return app, db, keysmith


@pytest.fixture(params=["sqlite", "postgres"])
def app_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_flask_sqlalchemy_tokens_live_in_the_app_database(app_url: str) -> None:
    app, db, keysmith = make_app(app_url)
    state = keysmith.state(app)
    with app.app_context():
        assert state.engine is not None
        assert state.engine.url == db.engine.url
        create_all(state.engine)
        assert missing_tables(db.engine) == []
    _, raw = state.service.create(name="writer", scopes=["write"])
    client = app.test_client()
    response = client.post("/notes", headers={"X-Keysmith-Token": raw})
    assert (response.status_code, response.get_json()) == (201, {"notes": 1})
    keysmith.close(app)
    with app.app_context():
        rows = db.session.execute(select(audit_events.c.action, audit_events.c.status_code))
        assert sorted(rows) == [("auth_success", 201), ("created", 0)]
    with app.app_context():
        db.engine.dispose()


def test_flask_sqlalchemy_app_engine_keeps_its_own_settings(tmp_path: Any) -> None:
    app, db, keysmith = make_app(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    with app.app_context():
        assert db.engine.hide_parameters is False
    # keysmith's copy hides statement parameters (token hashes) from errors and echo.
    engine = keysmith.state(app).engine
    assert engine is not None
    assert engine.hide_parameters is True
    with pytest.raises(StatementError) as caught, engine.connect() as connection:
        connection.execute(select(audit_events).where(audit_events.c.path == "hash$secret"))
    assert "hash$secret" not in str(caught.value)


def test_flask_sqlalchemy_bind_key_selects_that_engine(tmp_path: Any) -> None:
    tokens_url = f"sqlite:///{tmp_path / 'tokens.sqlite3'}"
    app, _, keysmith = make_app(
        f"sqlite:///{tmp_path / 'app.sqlite3'}",
        SQLALCHEMY_BINDS={"tokens": tokens_url},
        KEYSMITH_SQLALCHEMY_BIND="tokens",
    )
    engine = keysmith.state(app).engine
    assert engine is not None
    assert str(engine.url) == tokens_url


def test_flask_sqlalchemy_unknown_bind_key_raises_at_start_up(tmp_path: Any) -> None:
    with pytest.raises(ConfigurationError, match="no bind 'tokens'"):
        make_app(f"sqlite:///{tmp_path / 'app.sqlite3'}", KEYSMITH_SQLALCHEMY_BIND="tokens")


def test_flask_sqlalchemy_not_initialised_raises_naming_the_order() -> None:
    app = Flask(__name__)
    with pytest.raises(ConfigurationError, match=r"db.init_app\(app\)"):
        Keysmith(app, db=SQLAlchemy())


def test_flask_sqlalchemy_with_database_url_too_raises(tmp_path: Any) -> None:
    db = SQLAlchemy()
    app = Flask(__name__)
    app.config.update(SQLALCHEMY_DATABASE_URI="sqlite://", KEYSMITH_DATABASE_URL="sqlite://")
    db.init_app(app)
    with pytest.raises(ConfigurationError, match="two databases"):
        Keysmith(app, db=db)
