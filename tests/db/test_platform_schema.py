"""The server's models against the platform schema it supports (`vendor/platform/schema.sql`).

The dump is parsed, so the check runs on every test run, PostgreSQL or not; on PostgreSQL
the parse is checked against the dump as loaded.
When the platform moves (vendor/README.md), this says which mapped column stopped matching.
"""

import dataclasses
import re

import pytest
from sqlalchemy import Column, Enum, MetaData, Table, inspect
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from db.engine import Database
from db.models import AgentRunCommand, Base, ChatSession, Participant
from tests.databases import PLATFORM_SCHEMA

# Tables the server inserts rows into: every NOT NULL column without a default must be
# mapped, or the platform refuses the insert.
WRITTEN = (ChatSession.__table__.name, Participant.__table__.name, AgentRunCommand.__table__.name)

_TABLE = re.compile(r"^CREATE TABLE public\.(\w+) \(\n(.*?)\n\);", re.DOTALL | re.MULTILINE)
_TYPE = re.compile(r"^CREATE TYPE public\.(\w+) AS ENUM \(\n(.*?)\n\);", re.DOTALL | re.MULTILINE)
_COLUMN = re.compile(r'^\s*"?(\w+)"? (.+?)(?: COLLATE \S+)?( DEFAULT .+?)?( NOT NULL)?,?$')
# pg_dump's spelling of a type -> SQLAlchemy's, as the PostgreSQL dialect compiles it.
_SPELLING = {
    "character varying": "VARCHAR",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "uuid": "UUID",
    "text": "TEXT",
    "boolean": "BOOLEAN",
    "integer": "INTEGER",
    "jsonb": "JSONB",
    "json": "JSON",
    "date": "DATE",
    "double precision": "DOUBLE PRECISION",
}


@dataclasses.dataclass(frozen=True)
class PlatformColumn:
    type: str  # as SQLAlchemy's PostgreSQL dialect spells it
    nullable: bool
    has_default: bool


@dataclasses.dataclass(frozen=True)
class Platform:
    tables: dict[str, dict[str, PlatformColumn]]
    enums: dict[str, tuple[str, ...]]


def _type(spelled: str) -> str:
    spelled = spelled.removeprefix("public.")
    base, _, length = spelled.partition("(")
    name = _SPELLING.get(base, base)
    return f"{name}({length}" if length else name


def parse(sql: str) -> Platform:
    tables: dict[str, dict[str, PlatformColumn]] = {}
    for name, body in _TABLE.findall(sql):
        columns: dict[str, PlatformColumn] = {}
        for line in body.splitlines():
            if line.strip().startswith("CONSTRAINT"):
                continue
            match = _COLUMN.match(line)
            assert match, f"{name}: cannot read {line!r}"
            column, spelled, default, not_null = match.groups()
            columns[column] = PlatformColumn(_type(spelled), not not_null, default is not None)
        tables[name] = columns
    enums = {name: tuple(re.findall(r"'([^']*)'", values)) for name, values in _TYPE.findall(sql)}
    return Platform(tables, enums)


def _difference(table: str, column: Column, found: PlatformColumn, platform: Platform) -> str:
    where = f"{table}.{column.name}"
    mapped = column.type.compile(dialect=postgresql.dialect())
    if mapped != found.type:
        return f"{where}: mapped as {mapped}, the platform has {found.type}"
    if not column.nullable and found.nullable:
        return f"{where}: mapped NOT NULL, the platform allows null"
    if isinstance(column.type, Enum):
        values = platform.enums.get(found.type)
        if values is None or set(values) != set(column.type.enums):
            return f"{where}: {found.type} values {tuple(column.type.enums)} != platform's {values}"
    return ""


def _platform_tables(metadata: MetaData) -> list[Table]:
    """The mapped tables that are the platform's: the server's own are named chat_api_*,
    like its indexes and its version table, and live beside them."""
    return [table for table in metadata.sorted_tables if not table.name.startswith("chat_api_")]


def differences(metadata: MetaData, platform: Platform) -> list[str]:
    """Each way the mapped tables and columns differ from the platform's (none: they match)."""
    found: list[str] = []
    for table in _platform_tables(metadata):
        columns = platform.tables.get(table.name)
        if columns is None:
            found.append(f"{table.name}: no such table on the platform")
            continue
        for column in table.columns:
            if column.name not in columns:
                found.append(f"{table.name}.{column.name}: no such column on the platform")
            elif difference := _difference(table.name, column, columns[column.name], platform):
                found.append(difference)
        if table.name in WRITTEN:
            found.extend(
                f"{table.name}.{name}: NOT NULL without a default, and not mapped: "
                "the server's inserts would fail"
                for name, column in columns.items()
                if not column.nullable and not column.has_default and name not in table.c
            )
    return found


@pytest.fixture(scope="module")
def platform() -> Platform:
    return parse(PLATFORM_SCHEMA.read_text())


def test_the_dump_is_read_whole(platform: Platform) -> None:
    """Every table of the dump is parsed, with columns; the mapped enums are among its types."""
    assert len(platform.tables) == PLATFORM_SCHEMA.read_text().count("CREATE TABLE public.")
    assert all(platform.tables.values())
    assert {"user_role_enum", "chat_role_enum", "permission_scope_enum"} <= set(platform.enums)


def test_the_models_match_the_platform_schema(platform: Platform) -> None:
    """Every mapped table and column exists there, with the same type and a nullability the
    server can live with; tables the server writes have every required column mapped."""
    assert differences(Base.metadata, platform) == []


def _changed(platform: Platform, table: str, column: str, **change: object) -> Platform:
    tables = {name: dict(columns) for name, columns in platform.tables.items()}
    if change:
        tables[table][column] = dataclasses.replace(tables[table][column], **change)
    else:
        del tables[table][column]
    return Platform(tables, platform.enums)


@pytest.mark.parametrize(
    ("table", "column", "change", "expected"),
    [
        pytest.param("chat_sessions", "last_message_at", {}, "no such column", id="dropped"),
        pytest.param(
            "chat_sessions", "title", {"type": "VARCHAR(100)"}, "mapped as VARCHAR(200)", id="type"
        ),
        pytest.param(
            "chat_sessions", "tenant_id", {"nullable": True}, "allows null", id="nullable"
        ),
        pytest.param(
            "participants", "id", {"type": "TEXT"}, "mapped as UUID", id="uuid-became-text"
        ),
        pytest.param(
            "agent_run_commands",
            "claimed_by",
            {"nullable": False},
            "the server's inserts would fail",
            id="new-required-column",
        ),
    ],
)
def test_a_platform_change_is_told(
    platform: Platform, table: str, column: str, change: dict[str, object], expected: str
) -> None:
    """The check fails, naming the column, when the platform changes under a mapped one."""
    found = differences(Base.metadata, _changed(platform, table, column, **change))

    assert len(found) == 1 and found[0].startswith(f"{table}.") and expected in found[0]


def test_a_changed_enum_is_told(platform: Platform) -> None:
    enums = {**platform.enums, "chat_role_enum": ("user", "assistant", "system")}

    found = differences(Base.metadata, Platform(platform.tables, enums))

    assert found == [
        "chat_messages.role: chat_role_enum values ('user', 'assistant', 'system', 'tool_call')"
        " != platform's ('user', 'assistant', 'system')"
    ]


async def test_the_parse_agrees_with_postgresql(platform: Platform, database: Database) -> None:
    """Loaded into PostgreSQL (the suite's platform database), the dump has the columns,
    types and nullability the parse read, for every table the server maps."""
    if database.dialect != "postgresql":
        pytest.skip("the dump is PostgreSQL's: set TEST_DATABASE_URL to load it")

    def catalog(connection: Connection) -> dict[str, dict[str, tuple[str, bool]]]:
        inspector = inspect(connection)
        return {
            table.name: {
                column["name"]: (
                    column["type"].compile(dialect=connection.dialect),
                    column["nullable"],
                )
                for column in inspector.get_columns(table.name)
            }
            for table in _platform_tables(Base.metadata)
        }

    async with database.engine.connect() as connection:
        loaded = await connection.run_sync(catalog)

    parsed = {
        name: {
            column: (found.type, found.nullable) for column, found in platform.tables[name].items()
        }
        for name in loaded
    }
    assert parsed == loaded
