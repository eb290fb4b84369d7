"""Rows for tests, written straight to the database under test, as the platform writes them.

On the platform's database the tables have many more NOT NULL columns than the server
maps (a tenant's slug and quotas, an agent's model settings, a run's runtime). Rows are
inserted with the mapped values plus a platform value for each such column, read from
the database's own catalog, so the same factory writes valid rows on every backend.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    Integer,
    String,
    Table,
    insert,
    inspect,
    update,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection
from sqlalchemy.sql.expression import TableClause

from db.engine import Database
from db.models import (
    Agent,
    AgentPermission,
    AgentRun,
    AgentRunCommand,
    AgentRunEvent,
    AgentToolExecution,
    Base,
    ChatMessage,
    ChatSession,
    Identity,
    Participant,
    Tenant,
    User,
)
from db.runs import new_chat_run
from db.types import GUID

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

# Platform-only columns whose CHECK constraints a generic value would break.
PLATFORM_VALUES: dict[str, dict[str, Any]] = {
    "agent_runs": {
        "source_type": "chat",
        "goal": "Answer the user",
        "runtime_type": "legacy",
        "graph_name": "legacy",
        "graph_version": "1",
        "delivery_status": "not_required",
        "model_turn_limit": 8,
    },
    "agent_run_events": {"summary": "", "idempotency_key": None},
}


def _platform_value(column: Any) -> Any:
    """A value of the column's type; text is unique, for the platform's unique columns."""
    kind = column["type"]
    if isinstance(kind, Enum):
        return kind.enums[0]
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return 1
    if isinstance(kind, JSON | JSONB):
        return {}
    if isinstance(kind, DateTime):
        return T0
    if isinstance(kind, String):
        return uuid.uuid4().hex[: min(kind.length or 32, 32)]
    raise TypeError(f"no platform value for {column['name']} ({kind})")


class Factory:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._clock = T0
        self._unmapped: dict[str, list[Any]] | None = None
        self._columns: dict[str, set[str]] = {}
        self._model_id: uuid.UUID | None = None

    def tick(self, minutes: int = 1) -> datetime:
        """A strictly increasing time, so rows made later sort later."""
        self._clock += timedelta(minutes=minutes)
        return self._clock

    async def _unmapped_required(self) -> dict[str, list[Any]]:
        """Per table, the NOT NULL columns without a default that the models do not map."""
        if self._unmapped is None:

            def read(connection: Connection) -> dict[str, list[Any]]:
                inspector = inspect(connection)
                return {
                    table.name: [
                        column
                        for column in inspector.get_columns(table.name)
                        if not column["nullable"]
                        and column["default"] is None
                        and column["name"] not in table.columns
                    ]
                    for table in Base.metadata.sorted_tables
                }

            async with self.database.engine.connect() as connection:
                self._unmapped = await connection.run_sync(read)
        return self._unmapped

    async def _has_column(self, table: str, name: str) -> bool:
        if table not in self._columns:
            async with self.database.engine.connect() as connection:
                found = await connection.run_sync(
                    lambda sync: [column["name"] for column in inspect(sync).get_columns(table)]
                )
            self._columns[table] = set(found)
        return name in self._columns[table]

    async def _platform_only(self, table: str, values: dict[str, Any]) -> dict[str, Any]:
        """The values of platform-only columns, for the columns this database has."""
        return {
            name: value for name, value in values.items() if await self._has_column(table, name)
        }

    async def _llm_model(self) -> uuid.UUID | None:
        """A model row, on the platform's database: its LangGraph runs must name one."""
        if not await self._has_column("agent_runs", "model_id"):
            return None
        if self._model_id is None:
            model_id = uuid.uuid4()

            def columns(sync: Connection) -> list[Any]:
                return inspect(sync).get_columns("llm_models")

            async with self.database.engine.connect() as connection:
                found = await connection.run_sync(columns)
            values: dict[str, Any] = {"id": model_id}
            for column in found:
                if not column["nullable"] and column["default"] is None and column["name"] != "id":
                    values[column["name"]] = _platform_value(column)
            target = sql_table("llm_models", *(sql_column(c["name"], c["type"]) for c in found))
            async with self.database.transaction() as session:
                await session.execute(insert(target).values(values))
            self._model_id = model_id
        return self._model_id

    async def _run_rules(self, values: dict[str, Any]) -> dict[str, Any]:
        """What the platform's CHECKs on agent_runs ask of a run's own columns: a model for
        a LangGraph run, a queue position for a run on a lane."""
        rules: dict[str, Any] = {}
        if values.get("runtime_type") == "langgraph":
            rules["model_id"] = await self._llm_model()
        if values.get("scheduling_lane_key") is not None:
            rules["scheduling_position_created_at"] = values.get("created_at", T0)
            rules["scheduling_position_id"] = values["id"]
        return {name: value for name, value in rules.items() if value is not None}

    async def _values(
        self, row: Any, platform: dict[str, Any] | None = None
    ) -> tuple[Table | TableClause, dict[str, Any]]:
        table: Table = row.__table__
        values = {
            column.name: getattr(row, column.key)
            for column in table.columns
            if getattr(row, column.key) is not None
        }
        # The model's scalar defaults, set here: a table clause knows none of them.
        for column in table.columns:
            default = column.default
            if column.name not in values and default is not None and default.is_scalar:
                values[column.name] = default.arg
        if table.name == "agent_runs":
            platform = {**(await self._run_rules(values)), **(platform or {})}
        preferred = {**PLATFORM_VALUES.get(table.name, {}), **(platform or {})}
        unmapped = (await self._unmapped_required())[table.name]
        for column in unmapped:
            value = preferred.get(column["name"], _platform_value(column))
            values[column["name"]] = uuid.uuid4().hex if value is None else value
        extra = {
            name: value
            for name, value in (await self._platform_only(table.name, platform or {})).items()
            if name not in values
        }
        values |= extra
        unmapped = [
            *unmapped,
            *(
                {"name": name, "type": _column_type(value)}
                for name, value in extra.items()
                if name not in {column["name"] for column in unmapped}
            ),
        ]
        if not unmapped:
            return table, values
        # The platform's own columns are unknown to the model's Table: insert into a table
        # clause that names them too (SQLAlchemy refuses values for unknown columns).
        target = sql_table(
            table.name,
            *(sql_column(c.name, c.type) for c in table.columns),
            *(sql_column(c["name"], c["type"]) for c in unmapped),
        )
        return target, values

    async def add(self, *rows: Any, platform: dict[str, Any] | None = None) -> None:
        """Insert the rows, in the order given, in one transaction; `platform` gives values
        of the platform's own columns, written where the database has them."""
        async with self.database.transaction() as session:
            for row in rows:
                table, values = await self._values(row, platform)
                await session.execute(insert(table).values(values))

    async def tenant(self, name: str = "Acme") -> Tenant:
        tenant = Tenant(id=uuid.uuid4(), name=name)
        await self.add(tenant)
        return tenant

    async def user(
        self,
        tenant: Tenant | None,
        *,
        role: str = "member",
        display_name: str = "",
        username: str | None = None,
        is_active: bool = True,
    ) -> User:
        identity = Identity(id=uuid.uuid4(), username=username or f"user-{uuid.uuid4().hex[:8]}")
        user = User(
            id=uuid.uuid4(),
            identity_id=identity.id,
            tenant_id=tenant.id if tenant else None,
            display_name=display_name or identity.username,
            role=role,
            is_active=is_active,
        )
        await self.add(identity)
        await self.add(user)
        return user

    async def agent(
        self,
        creator: User,
        *,
        name: str = "Atlas",
        tenant: Tenant | None = None,
        access_mode: str = "company",
        deleted_at: datetime | None = None,
    ) -> Agent:
        agent = Agent(
            id=uuid.uuid4(),
            name=name,
            creator_id=creator.id,
            tenant_id=tenant.id if tenant else creator.tenant_id,
            access_mode=access_mode,
            deleted_at=deleted_at,
        )
        await self.add(agent)
        return agent

    async def grant(
        self, agent: Agent, scope_type: str, *, user: User | None = None, level: str = "use"
    ) -> AgentPermission:
        permission = AgentPermission(
            id=uuid.uuid4(),
            agent_id=agent.id,
            scope_type=scope_type,
            scope_id=user.id if user else None,
            access_level=level,
        )
        await self.add(permission)
        return permission

    async def participant(self, kind: str, ref_id: uuid.UUID, display_name: str) -> Participant:
        participant = Participant(
            id=uuid.uuid4(), type=kind, ref_id=ref_id, display_name=display_name
        )
        await self.add(participant)
        return participant

    async def session(
        self,
        agent: Agent,
        user: User | None = None,
        *,
        messages: int = 0,
        created_at: datetime | None = None,
        **columns: Any,
    ) -> ChatSession:
        """A session; with `messages`, that many user messages, and last_message_at set.

        Written as the platform writes each kind: a2a sessions come from the 'agent'
        channel, group sessions are flagged is_group, trigger sessions come from 'trigger'.
        The kind follows from those columns when not given.
        """
        kind = columns.pop("session_type", None) or _kind(columns)
        defaults: dict[str, Any] = {
            "a2a": {"source_channel": "agent"},
            "group": {"is_group": True, "source_channel": "discord"},
            "trigger": {"source_channel": "trigger"},
        }.get(kind, {})
        at = created_at or self.tick()
        session = ChatSession(
            id=uuid.uuid4(),
            tenant_id=agent.tenant_id,
            session_type=kind,
            agent_id=agent.id,
            user_id=user.id if user else None,
            title="New Session",
            source_channel="web",
            created_at=at,
            updated_at=at,
        )
        for name, value in {**defaults, **columns}.items():
            setattr(session, name, value)
        await self.add(session)
        for _ in range(messages):
            await self.message(session, "user", "hello")
        return session

    async def run(
        self,
        session: ChatSession,
        kind: str = "foreground",
        *,
        parent: AgentRun | None = None,
        **columns: Any,
    ) -> AgentRun:
        """A run of the session's agent; a delegated run names its parent."""
        run = AgentRun(
            id=uuid.uuid4(),
            tenant_id=session.tenant_id,
            agent_id=columns.pop("agent_id", session.agent_id),
            session_id=session.id,
            parent_run_id=parent.id if parent else None,
            run_kind=kind,
            created_at=self.tick(),
            **{"runtime_type": "legacy", **columns},
        )
        await self.add(run)
        return run

    async def chat_run(
        self, session: ChatSession, *, lane_held: bool = True, **columns: Any
    ) -> AgentRun:
        """A run as the platform's web chat registers one (`db.runs.new_chat_run`), with
        its run_created event."""
        at = columns.pop("created_at", None) or self.tick()
        run = new_chat_run(session, id=uuid.uuid4(), created_at=at, lane_held=lane_held)
        for name, value in columns.items():
            setattr(run, name, value)
        platform = {
            "delivery_status": "pending",
            "delivery_target": {"kind": "direct", "session_id": str(session.id)},
            "graph_name": "agent_chat",
        }
        await self.add(run, platform=platform)
        await self.event(
            run,
            "run_created",
            {"status": "queued", "source_type": "chat", "thread_id": str(session.id)},
            created_at=at,
            summary="Runtime Run created",
        )
        return run

    async def event(
        self,
        run: AgentRun,
        event_type: str,
        payload: dict[str, Any],
        *,
        created_at: datetime | None = None,
        summary: str = "",
        id: uuid.UUID | None = None,
    ) -> AgentRunEvent:
        """An event of the run's log, with the platform's summary and idempotency key."""
        event = AgentRunEvent(
            id=id or uuid.uuid4(),
            run_id=run.id,
            tenant_id=run.tenant_id,
            agent_id=run.agent_id,
            event_type=event_type,
            payload=payload,
            created_at=created_at or self.tick(),
        )
        await self.add(
            event,
            platform={"summary": summary, "idempotency_key": f"{event_type}:{event.id}"},
        )
        return event

    async def thinking(self, run: AgentRun, content: str, **options: Any) -> AgentRunEvent:
        """What checkpoint_side_effects.py records for the model's reasoning."""
        payload = {"status": "running", "activity_type": "thinking", "content": content}
        return await self.event(run, "status_changed", payload, **options)

    async def progress(self, run: AgentRun, content: str, **options: Any) -> AgentRunEvent:
        """What checkpoint_side_effects.py records for a piece of the reply."""
        payload = {"status": "running", "activity_type": "assistant_progress", "content": content}
        return await self.event(run, "status_changed", payload, **options)

    async def tool_call(
        self,
        run: AgentRun,
        name: str,
        call_id: str,
        *,
        args: dict[str, Any] | None = None,
        result: str | None = None,
        execution_status: str | None = None,
        error_code: str | None = None,
        **options: Any,
    ) -> AgentRunEvent:
        """A tool starting (no result) or done, as tool_step_service.py records it."""
        payload: dict[str, Any] = {
            "status": "running" if result is None else "done",
            "activity_type": "tool_call",
            "call_id": call_id,
            "name": name,
            "args": args or {},
            "reasoning_content": "",
        }
        if result is not None:
            payload |= {"result": result, "execution_status": execution_status or "succeeded"}
            payload["error_code"] = error_code
        return await self.event(run, "status_changed", payload, **options)

    async def delivery(
        self, run: AgentRun, message: ChatMessage | None, *, failed: bool = False, **payload: Any
    ) -> AgentRunEvent:
        """A delivery receipt as delivery.py records it (`_add_event`)."""
        data: dict[str, Any] = {
            "version": 1,
            "status": "failed" if failed else "delivered",
            "delivery_kind": "terminal",
            "message_id": str(message.id) if message else None,
            "error_code": "delivery_target_missing" if failed else None,
            "lifecycle_status": "completed",
            "correlation_id": None,
            **payload,
        }
        event_type = "delivery_failed" if failed else "delivery_succeeded"
        return await self.event(run, event_type, data)

    async def command(
        self,
        run: AgentRun,
        command_type: str = "cancel",
        *,
        status: str = "pending",
        idempotency_key: str | None = None,
        payload: dict[str, Any] | None = None,
        actor: User | None = None,
    ) -> AgentRunCommand:
        command = AgentRunCommand(
            id=uuid.uuid4(),
            tenant_id=run.tenant_id,
            run_id=run.id,
            command_type=command_type,
            payload=payload or {},
            actor_user_id=actor.id if actor else None,
            idempotency_key=idempotency_key or f"{command_type}:{uuid.uuid4()}",
            status=status,
            attempt_count=0,
            created_at=self.tick(),
        )
        await self.add(command)
        return command

    async def tool_execution(
        self,
        run: AgentRun,
        tool_name: str,
        tool_call_id: str,
        *,
        status: str = "unknown",
        effect: str = "external_write",
        retry_policy: str = "never",
        result_summary: str | None = None,
        result_metadata: dict[str, Any] | None = None,
    ) -> AgentToolExecution:
        """A tool receipt as tool_execution.py reserves and settles it."""
        execution = AgentToolExecution(
            id=uuid.uuid4(),
            tenant_id=run.tenant_id,
            run_id=run.id,
            tool_call_id=tool_call_id,
            tool_name=tool_name,
            effect=effect,
            retry_policy=retry_policy,
            status=status,
            result_summary=result_summary,
            result_metadata=result_metadata or {},
            started_at=self.tick(),
        )
        await self.add(
            execution,
            platform={"assistant_message_id": f"msg-{tool_call_id}", "arguments_hash": "0" * 64},
        )
        return execution

    async def delivery_failure(
        self,
        run: AgentRun,
        message: ChatMessage,
        *,
        event_type: str = "delivery_succeeded",
        **payload: Any,
    ) -> AgentRunEvent:
        """The event by which the platform records that a message's delivery failed."""
        event = AgentRunEvent(
            id=uuid.uuid4(),
            run_id=run.id,
            tenant_id=run.tenant_id,
            agent_id=run.agent_id,
            event_type=event_type,
            payload={
                "lifecycle_status": "failed",
                "message_id": str(message.id),
                "failure_code": "model_timeout",
                "failure_message": "The model did not answer in time.",
                **payload,
            },
            created_at=self.tick(),
        )
        await self.add(event)
        return event

    async def message(
        self,
        session: ChatSession,
        role: str,
        content: str | dict[str, Any],
        *,
        created_at: datetime | None = None,
        touch_session: bool = True,
        **columns: Any,
    ) -> ChatMessage:
        """A message of `session`; by default it also becomes the session's last message."""
        at = created_at or self.tick()
        message = ChatMessage(
            id=uuid.uuid4(),
            agent_id=columns.pop("agent_id", session.agent_id),
            user_id=session.user_id if role == "user" else None,
            role=role,
            content=content if isinstance(content, str) else json.dumps(content),
            conversation_id=str(session.id),
            created_at=at,
            **columns,
        )
        await self.add(message)
        if touch_session:
            async with self.database.transaction() as db:
                await db.execute(
                    update(ChatSession)
                    .where(ChatSession.id == session.id)
                    .values(last_message_at=at)
                )
            session.last_message_at = at
        return message


def _column_type(value: Any) -> Any:
    """The SQL type a platform-only value is written with."""
    if isinstance(value, dict | list):
        return JSONB()
    if isinstance(value, datetime):
        return DateTime(timezone=True)
    if isinstance(value, uuid.UUID):
        return GUID()
    return String()


def _kind(columns: dict[str, Any]) -> str:
    if columns.get("is_group"):
        return "group"
    channel = columns.get("source_channel")
    if channel == "agent" and columns.get("peer_agent_id"):
        return "a2a"
    return "trigger" if channel == "trigger" else "direct"
