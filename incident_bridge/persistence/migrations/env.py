"""Alembic environment of the bridge: its own metadata and version table, host tables ignored."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from incident_bridge.persistence import models  # noqa: F401  (registers the tables)
from incident_bridge.persistence.base import Base

config = context.config
if config.config_file_name is not None and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

VERSION_TABLE = "ib_alembic_version"
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    """Only the bridge's own tables (``ib_*``) belong to this history."""
    if type_ == "table":
        return bool(name and name.startswith("ib_"))
    return True


def _engine():  # type: ignore[no-untyped-def]
    return current_app.extensions["incident_bridge"].db.engine


def run_migrations_offline() -> None:
    context.configure(
        url=str(_engine().url),
        target_metadata=target_metadata,
        literal_binds=True,
        version_table=VERSION_TABLE,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            render_as_batch=True,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
