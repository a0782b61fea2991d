"""``Keysmith``: the Flask extension (``Keysmith(app)`` or ``init_app``), its decorator and its
blueprint-wide protection."""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, overload

from flask import Blueprint, Flask, current_app, request

from keysmith.core.audit import AuditSink
from keysmith.core.clock import Clock
from keysmith.core.errors import ConfigurationError
from keysmith.core.policy import Admit, TokenPolicy
from keysmith.core.service import TokenService
from keysmith.flask import authentication
from keysmith.flask.cli import keysmith_command
from keysmith.flask.readiness import StoreCheck
from keysmith.flask.settings import read_settings
from keysmith.flask.state import EXTENSION_KEY, KeysmithState, RateLimitHook, app_state
from keysmith.flask.storage import build_service
from keysmith.sqlalchemy.readiness import describe

logger = logging.getLogger("keysmith.flask")

F = TypeVar("F", bound=Callable[..., Any])
EXEMPT_ATTRIBUTE = "_keysmith_exempt"


def _scope_names(scopes: Iterable[object]) -> frozenset[str]:
    names = tuple(scopes)
    if not all(isinstance(name, str) and name for name in names):
        raise TypeError(f"scopes are scope names (non-empty strings), got {names!r}.")
    return frozenset(name for name in names if isinstance(name, str))


class Keysmith:
    """Token authentication for one or more Flask apps.

    Arguments given here are defaults for every app; ``init_app(app, **options)`` overrides them
    for one app. ``db`` is the app's Flask-SQLAlchemy object (tokens in its database);
    ``service`` a ready core ``TokenService`` (any store); ``policy``, ``admit``, ``sink`` and
    ``clock`` as for ``keysmith.sqlalchemy.service``; ``rate_limit`` is
    ``hook(request, raw_token)``, called before authentication.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        db: Any = None,
        service: TokenService[Any] | None = None,
        policy: TokenPolicy | None = None,
        admit: Admit | None = None,
        rate_limit: RateLimitHook | None = None,
        sink: AuditSink | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.options: dict[str, Any] = {
            "db": db, "service": service, "policy": policy, "admit": admit,
            "rate_limit": rate_limit, "sink": sink, "clock": clock,
        }  # fmt: skip
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, **options: Any) -> None:
        """Set keysmith up on ``app`` from its ``KEYSMITH_*`` config; bad values raise
        ``ConfigurationError`` here, at start-up. The database is not touched here: its tables
        are checked by the first request (see ``keysmith.flask.readiness``)."""
        unknown = set(options) - set(self.options)
        if unknown:
            raise TypeError(f"init_app() got unknown options: {', '.join(sorted(unknown))}.")
        if EXTENSION_KEY in app.extensions:
            raise ConfigurationError(f"keysmith is already set up on the app {app.name!r}.")
        chosen = {**self.options, **options}
        settings = read_settings(app.config)
        service, engine, owned = build_service(
            app, settings, db=chosen["db"], given=chosen["service"], policy=chosen["policy"],
            admit=chosen["admit"], sink=chosen["sink"], clock=chosen["clock"],
        )  # fmt: skip
        hook = chosen["rate_limit"]
        if hook is not None and not callable(hook):
            raise ConfigurationError(f"rate_limit must be callable, got {hook!r}.")
        state = KeysmithState(
            service=service,
            source=settings.source,
            replies=settings.replies,
            trust_proxies=settings.trust_proxies,
            rate_limit=app.ensure_sync(hook) if hook is not None else None,
            audit=settings.audit,
            engine=engine,
            owns_engine=owned,
            # Run by the first request: see keysmith.flask.readiness.
            store_check=StoreCheck(getattr(service.store, "check_tables", None)),
        )
        if engine is not None:
            logger.info(
                "keysmith: the app %r keeps its tokens in %s", app.name, describe(engine.url)
            )
        app.extensions[EXTENSION_KEY] = state
        app.before_request(functools.partial(authentication.check_request, state))
        app.after_request(authentication.note_status)
        app.teardown_request(functools.partial(authentication.record, state))
        app.cli.add_command(keysmith_command)

    @overload
    def required(self, view: F, /) -> F: ...

    @overload
    def required(self, *scopes: str) -> Callable[[F], F]: ...

    def required(self, *args: Any) -> Any:
        """``@keysmith.required``: the view needs a valid token; ``@keysmith.required("write")``:
        one holding every scope named. Works on plain and ``async def`` views and methods."""
        if len(args) == 1 and callable(args[0]):
            return _decorate(args[0], frozenset())
        scopes = _scope_names(args)
        return lambda view: _decorate(view, scopes)

    def protect(self, target: Blueprint | Flask, *scopes: str, exempt: Iterable[str] = ()) -> None:
        """Require a token (holding ``scopes``) on every route of a blueprint, or of the app,
        except the endpoints named in ``exempt`` and views marked ``@keysmith.exempt``."""
        needed = _scope_names(scopes)
        if isinstance(exempt, str):
            raise TypeError("exempt must be a collection of endpoint names, not one string.")
        exempt_names = frozenset(exempt)
        short = isinstance(target, Blueprint)

        def protect_route() -> Any:
            endpoint = request.endpoint or ""
            if endpoint in exempt_names or (short and endpoint.rpartition(".")[2] in exempt_names):
                return None
            view = current_app.view_functions.get(endpoint)
            if getattr(view, EXEMPT_ATTRIBUTE, False):
                return None
            return authentication.refusal(app_state(current_app), needed)

        target.before_request(protect_route)

    @staticmethod
    def exempt(view: F) -> F:
        """Mark a view as open on a protected blueprint or app (a sent token is still checked)."""
        setattr(view, EXEMPT_ATTRIBUTE, True)
        return view

    @staticmethod
    def state(app: Flask | None = None) -> KeysmithState:
        """The keysmith of ``app`` (default: the current app): ``.service``, ``.engine``, ..."""
        return app_state(app if app is not None else current_app)

    def close(self, app: Flask | None = None) -> None:
        """Write out ``app``'s buffered audit rows and dispose of the engine keysmith made."""
        self.state(app).close()


def _decorate(view: F, scopes: frozenset[str]) -> F:
    if inspect.iscoroutinefunction(view):

        @functools.wraps(view)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            refused = authentication.refusal(app_state(current_app), scopes)
            if refused is not None:
                return refused
            return await view(*args, **kwargs)

        return async_wrapper  # type: ignore[return-value]

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        refused = authentication.refusal(app_state(current_app), scopes)
        if refused is not None:
            return refused
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
