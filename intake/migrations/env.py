"""Alembic environment: the URL comes from the caller (``intake.store.upgrade``) or, for the
``alembic`` command run by hand, from ``DATABASE_URL`` via ``intake.config``."""
from __future__ import annotations

from alembic import context

from intake import config as ccap_config
from intake.store import Base, make_engine

target_metadata = Base.metadata


def _url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    return url or ccap_config.load().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        # render_as_batch: SQLite can only change columns by copying the table
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
