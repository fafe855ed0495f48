"""Alembic environment, run through Flask-Migrate inside the app's context."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from gallery import search

config = context.config
if config.config_file_name:
    # Keep the app's own loggers working when migrations run in-process.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option(
    "sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def run_migrations_offline() -> None:
    """Emit SQL to standard output instead of running it."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations against the app's engine."""

    def process_revision_directives(context, revision, directives):  # noqa: ARG001
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    # The full-text index is not in the models: autogenerate must not drop it.
    conf_args.setdefault("include_name", search.include_name)
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a SQLite table by copying it and dropping the old one; with
            # foreign keys on, that DROP would cascade and delete every row that refers to
            # it (a prisoner's stories, sources and works). PRAGMA foreign_keys only acts
            # outside a transaction, so it is switched off before the migrations begin and
            # the links are checked before they commit.
            # (Straight to the driver: SQLAlchemy would wrap the statement in a BEGIN.)
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(
                        f"migration left {len(broken)} broken foreign keys: {broken[:5]}"
                    )
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
