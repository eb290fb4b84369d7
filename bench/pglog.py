"""The statements PostgreSQL itself receives, from its own statement log.

SQLAlchemy's cursor events see what SQLAlchemy sends; they miss asyncpg's own queries (its
type introspection on a new connection, `WITH RECURSIVE typeinfo_tree ...`) and say nothing
of what reached the server. Here the benchmark database gets `log_statement = 'all'`
(`ALTER DATABASE ... SET`, so only connections opened afterwards log, and only to this
database), and a count is the server log's `statement:` and `execute ...:` lines for this
database between two offsets. That needs the log file readable by the benchmark (the
server's stderr log, `log_line_prefix` with `%d`); `open` answers None where it is not.
"""

import re
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg

INTROSPECTION = ("typeinfo_tree", "pg_catalog.pg_type")
_LOGGED = re.compile(r" LOG:  (?:statement|execute [^:]*): (.*)$")


@dataclass
class StatementLog:
    path: Path
    database: str
    dsn: str
    offset: int = 0

    @classmethod
    async def open(cls, dsn: str, database: str) -> "StatementLog | None":
        """Turn statement logging on for `database`; None when its log cannot be read."""
        connection = await asyncpg.connect(dsn)
        try:
            prefix = await connection.fetchval("SHOW log_line_prefix")
            path = await connection.fetchval("SELECT pg_current_logfile()")
            if path is None:
                major = (await connection.fetchval("SHOW server_version")).split(".")[0]
                path = f"/var/log/postgresql/postgresql-{major}-main.log"
            if "%d" not in prefix or not _readable(Path(path)):
                return None
            await connection.execute(f"ALTER DATABASE \"{database}\" SET log_statement = 'all'")
        finally:
            await connection.close()
        return cls(Path(path), database, dsn)

    async def close(self) -> None:
        connection = await asyncpg.connect(self.dsn)
        try:
            await connection.execute(f'ALTER DATABASE "{self.database}" RESET log_statement')
        finally:
            await connection.close()

    def mark(self) -> None:
        self.offset = self.path.stat().st_size

    def since_mark(self, settle: float = 0.1) -> list[str]:
        """The statements this database received since `mark()`."""
        time.sleep(settle)  # the server writes its log asynchronously
        with self.path.open("rb") as log:
            log.seek(self.offset)
            text = log.read().decode(errors="replace")
        tag = f"@{self.database} "
        statements = []
        for line in text.splitlines():
            if tag in line:
                found = _LOGGED.search(line)
                if found:
                    statements.append(found.group(1))
        return statements


def _readable(path: Path) -> bool:
    try:
        path.open("rb").close()
    except OSError:
        return False
    return True


def introspection(statements: list[str]) -> int:
    """How many of the statements are asyncpg's type introspection."""
    return sum(any(mark in statement for mark in INTROSPECTION) for statement in statements)
