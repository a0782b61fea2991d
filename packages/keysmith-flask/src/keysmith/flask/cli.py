"""``flask keysmith ...``: the ``keysmith`` command (``keysmith.sqlalchemy.cli``) run on the
app's own database and token policy, so tokens it creates authenticate in the app."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from keysmith.flask.state import app_state
from keysmith.sqlalchemy.cli import Target, main

PROG = "flask keysmith"


# The arguments go to the keysmith command's own parser untouched (its --help too), so both
# commands have one set of options, messages and exit statuses.
@click.command(
    "keysmith",
    add_help_option=False,
    context_settings={"ignore_unknown_options": True},
    short_help="Manage keysmith API tokens in the app's database (see --help).",
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@with_appcontext
def keysmith_command(args: tuple[str, ...]) -> None:
    state = app_state(current_app)
    context = click.get_current_context()
    if state.engine is None:
        click.echo(
            f"{PROG}: error: the app's keysmith store is not a SQL database; the commands "
            "work on the database of KEYSMITH_DATABASE_URL or Flask-SQLAlchemy",
            err=True,
        )
        context.exit(2)
    target = Target(state.engine, state.service.policy, audit=state.audit)
    context.exit(main(list(args), prog=PROG, target=target))
