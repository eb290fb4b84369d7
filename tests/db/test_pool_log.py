"""The metered pool keeps quiet at INFO, as SQLAlchemy's own pool does."""

import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import create_engine


async def test_the_pool_logs_no_chatter_at_info(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}")
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    await engine.dispose()

    assert type(engine.pool).__name__ == "MeteredPool"
    assert [r.getMessage() for r in caplog.records if r.name.startswith("db.pool")] == []
