"""Bring a database to the newest schema with the project's Alembic migrations."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from db.engine import Database

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
VERSION_TABLE = "chat_api_alembic_version"
"""Where the server's migration state lives: `alembic_version` is the platform's."""


def alembic_config() -> Config:
    """The migrations' configuration, made here rather than read from alembic.ini (which
    serves Alembic's own CLI in a checkout), so that an installed server needs no file
    outside its packages."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


class IncompatibleDatabase(Exception):
    """A database that a command must not change; the message says why and what to do."""


def _upgrade(connection: Connection, report: list[str]) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    config.attributes["report"] = report
    command.upgrade(config, "head")


async def upgrade(database: Database) -> list[str]:
    """Migrate, and say what was done (an empty list: the database was up to date).

    The connection is handed over outside a transaction: the migrations commit their own,
    and build PostgreSQL indexes concurrently, which no transaction may enclose.
    """
    report: list[str] = []
    async with database.engine.connect() as connection:
        await connection.run_sync(_upgrade, report)
    return report
