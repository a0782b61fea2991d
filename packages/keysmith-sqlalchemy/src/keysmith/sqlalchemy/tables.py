"""The keysmith tables, defined once: hand ``metadata`` to Alembic or to ``create_all``."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

from keysmith.sqlalchemy.columns import UTCDateTime

# Deterministic constraint names, so Alembic autogenerate can drop and alter them later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# Uuid is native on PostgreSQL and CHAR(32) elsewhere.
tokens = Table(
    "keysmith_tokens",
    metadata,
    Column("id", Uuid(as_uuid=True), primary_key=True),
    # The unique constraint is the index authentication looks tokens up by.
    Column("prefix", String(255), nullable=False, unique=True),
    Column("key", Text, nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("token_type", String(16), nullable=False, default="user"),
    # Owner references are the host application's user ids, kept as text. Indexed for the
    # self-service listing of an owner's tokens and ``keysmith list --user``.
    Column("user_id", String(255), nullable=True, index=True),
    Column("created_by_id", String(255), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("purged", Boolean, nullable=False, default=False),
    Column("previous_key", Text, nullable=True),
    Column("previous_key_expires_at", UTCDateTime, nullable=True),
    # ``keysmith list``: newest first, one page at a time, without sorting the table.
    Index("ix_keysmith_tokens_created_at", "created_at"),
)

token_scopes = Table(
    "keysmith_token_scopes",
    metadata,
    Column(
        "token_id",
        Uuid(as_uuid=True),
        ForeignKey(tokens.c.id, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("scope", String(255), primary_key=True),
)

audit_events = Table(
    "keysmith_audit_events",
    metadata,
    # SQLite only auto-increments an INTEGER PRIMARY KEY.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    # Audit rows outlive the token they mention.
    Column(
        "token_id",
        Uuid(as_uuid=True),
        ForeignKey(tokens.c.id, ondelete="SET NULL"),
        nullable=True,
    ),
    Column("token_prefix", String(255), nullable=True),
    Column("action", String(32), nullable=False),
    Column("path", Text, nullable=False, default=""),
    Column("method", String(16), nullable=False, default=""),
    Column("status_code", Integer, nullable=False, default=0),
    Column("ip_address", String(45), nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("extra", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # ``keysmith audit`` unfiltered and ``--since``, and ``keysmith prune-audit`` by age.
    Index("ix_keysmith_audit_events_created_at", "created_at"),
    # ``keysmith audit --action``, newest first.
    Index("ix_keysmith_audit_events_action_created_at", "action", "created_at"),
)

# Each audit index serves a read keysmith runs, newest first: one that ends in created_at hands
# a page over without sorting the rows.
# One token's rows by id; also what deleting a token sets to NULL.
Index(
    "ix_keysmith_audit_events_token_id_created_at",
    audit_events.c.token_id,
    audit_events.c.created_at.desc(),
)
# ``keysmith audit --prefix``: rows outlive their token, so they are found by its prefix.
Index(
    "ix_keysmith_audit_events_token_prefix_created_at",
    audit_events.c.token_prefix,
    audit_events.c.created_at.desc(),
)

TABLES = (tokens, token_scopes, audit_events)
