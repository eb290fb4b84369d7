"""Bring a database to the newest schema with the project's Alembic migrations."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from db.engine import Database

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"


def _upgrade(connection: Connection) -> None:
    config = Config(ALEMBIC_INI)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


async def upgrade(database: Database) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade)
