"""A small, realistic platform to explore the API with.

Ids are derived from names (uuid5), so the README's example ids hold on every machine.
"""

import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.migrate import IncompatibleDatabase
from db.models import (
    Agent,
    AgentPermission,
    AgentRun,
    AgentRunEvent,
    AgentToolExecution,
    ChatMessage,
    ChatSession,
    Identity,
    Participant,
    Tenant,
    User,
)
from db.runs import new_chat_run
from db.types import utcnow

_NAMESPACE = uuid.UUID("6f1c2a52-0d5e-4a39-9a39-3d3f0f5a1c00")


def demo_id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, name)


USERS = [
    # username, display name, role, tenant
    ("root", "Platform Root", "platform_admin", "acme"),
    ("ada", "Ada Lovelace", "org_admin", "acme"),
    ("ben", "Ben Ops", "agent_admin", "acme"),
    ("cleo", "Cleo Park", "member", "acme"),
    ("dan", "", "member", "acme"),
    ("gina", "Gina Globex", "member", "globex"),
]
AGENTS = [
    # name, creator, tenant, access mode: company (all of the tenant), custom (the rows of
    # agent_permissions), private (the creator only)
    ("Atlas", "ada", "acme", "company"),
    ("Scribe", "ben", "acme", "custom"),
    ("Vault", "ben", "acme", "private"),
    ("Orion", "gina", "globex", "company"),
]

INLINE_REPLY = """Let me look that up for the release notes.
```tool_code
search_docs
```
```json
{"query": "release 2.4 changes", "limit": 3}
```
Found three entries. Summarising now.
```tool_code
summarise
```
Done: the summary is in the shared notes."""


async def has_data(session: AsyncSession) -> bool:
    return bool(await session.scalar(select(func.count()).select_from(Tenant)))


async def _is_platform_database(session: AsyncSession) -> bool:
    """The platform's tenants have a slug; the server's own database has no such column."""
    connection = await session.connection()
    columns = await connection.run_sync(lambda sync: inspect(sync).get_columns("tenants"))
    return any(column["name"] == "slug" for column in columns)


def _conversation(
    session: ChatSession, start: datetime, lines: list[tuple[str, str, dict[str, object]]]
) -> list[ChatMessage]:
    """Messages every two minutes from `start`; the session's last_message_at follows."""
    messages = []
    for offset, (role, content, extra) in enumerate(lines):
        messages.append(
            ChatMessage(
                id=demo_id(f"message:{session.id}:{offset}"),
                agent_id=session.agent_id,
                user_id=session.user_id if role == "user" else None,
                role=role,
                content=content,
                conversation_id=str(session.id),
                created_at=start + timedelta(minutes=2 * offset),
                **extra,
            )
        )
    session.last_message_at = messages[-1].created_at if messages else None
    return messages


def _platform() -> list[list[object]]:
    """Rows in insertion order: each group only refers to the groups before it."""
    tenants: list[object] = [
        Tenant(id=demo_id("tenant:acme"), name="Acme Robotics"),
        Tenant(id=demo_id("tenant:globex"), name="Globex"),
    ]
    identities: list[object] = [
        Identity(
            id=demo_id(f"identity:{username}"), username=username, email=f"{username}@example.com"
        )
        for username, *_ in USERS
    ]
    users: list[object] = []
    for username, display, role, tenant in USERS:
        users.append(
            User(
                id=demo_id(f"user:{username}"),
                identity_id=demo_id(f"identity:{username}"),
                tenant_id=demo_id(f"tenant:{tenant}"),
                display_name=display,
                role=role,
            )
        )
    agents: list[object] = []
    for name, creator, tenant, access_mode in AGENTS:
        agents.append(
            Agent(
                id=demo_id(f"agent:{name}"),
                name=name,
                creator_id=demo_id(f"user:{creator}"),
                tenant_id=demo_id(f"tenant:{tenant}"),
                access_mode=access_mode,
            )
        )
    rows: list[object] = [
        AgentPermission(
            agent_id=demo_id("agent:Scribe"),
            scope_type="user",
            scope_id=demo_id("user:cleo"),
            access_level="manage",
        ),
    ]
    for kind, name, display in [
        ("user", "cleo", "Cleo Park"),
        ("user", "dan", "dan"),
        ("agent", "Atlas", "Atlas"),
        ("agent", "Scribe", "Scribe"),
    ]:
        rows.append(
            Participant(
                id=demo_id(f"participant:{name}"),
                type=kind,
                ref_id=demo_id(f"{kind}:{name}"),
                display_name=display,
            )
        )
    return [tenants + identities, users, agents, rows]


def _sessions(now: datetime) -> list[list[object]]:
    """Sessions of every kind, with primaries, unread replies, a deleted one, a failed run."""
    acme = demo_id("tenant:acme")
    atlas, scribe = demo_id("agent:Atlas"), demo_id("agent:Scribe")
    cleo, dan, ada = demo_id("user:cleo"), demo_id("user:dan"), demo_id("user:ada")

    def session(key: str, kind: str = "direct", **columns: object) -> ChatSession:
        created = now - timedelta(days=3)
        values: dict[str, object] = {
            "source_channel": {"a2a": "agent", "trigger": "trigger"}.get(kind, "web"),
            "is_group": kind == "group",
            "is_primary": False,
            **columns,
        }
        return ChatSession(
            id=demo_id(f"session:{key}"),
            tenant_id=acme,
            session_type=kind,
            created_at=created,
            updated_at=created,
            **values,
        )

    sessions = {
        "cleo-web": session(
            "cleo-web",
            agent_id=atlas,
            user_id=cleo,
            title="Quarterly report draft",
            is_primary=True,
            # Read before the first reply: two replies are unread.
            last_read_at_by_user=now - timedelta(hours=2) + timedelta(minutes=5),
        ),
        "cleo-feishu": session(
            "cleo-feishu",
            agent_id=atlas,
            user_id=cleo,
            title="Shift handover",
            source_channel="feishu",
            last_read_at_by_user=now,
        ),
        "cleo-old": session(
            "cleo-old",
            agent_id=atlas,
            user_id=cleo,
            title="Old onboarding questions",
            deleted_at=now - timedelta(days=1),
        ),
        "dan-slack": session(
            "dan-slack",
            agent_id=atlas,
            user_id=dan,
            title="Build failures",
            source_channel="slack",
            is_primary=True,
        ),
        "ada-web": session(
            "ada-web",
            agent_id=atlas,
            user_id=ada,
            title="Hiring plan",
            is_primary=True,
            last_read_at_by_user=now,
        ),
        "group": session(
            "group",
            "group",
            agent_id=atlas,
            user_id=cleo,
            title="Launch war room",
            source_channel="discord",
            group_name="#launch",
        ),
        "a2a": session(
            "a2a",
            "a2a",
            agent_id=atlas,
            title="Release notes",
            peer_agent_id=scribe,
            participant_id=demo_id("participant:Atlas"),
        ),
        "trigger": session("trigger", "trigger", agent_id=atlas, title="Nightly reflection"),
        "empty": session("empty", agent_id=atlas, user_id=cleo, title="New Session"),
        "scribe-cleo": session(
            "scribe-cleo", agent_id=scribe, user_id=cleo, title="Meeting minutes", is_primary=True
        ),
    }
    tool_call = json.dumps(
        {
            "name": "fetch_sales",
            "args": {"quarter": "Q3"},
            "status": "done",
            "result": {"total": 182000},
            "reasoning_content": "The board wants Q3 against Q2.",
            "tool_call_id": "call_q3_sales",
        }
    )
    cleo_says = {"participant_id": demo_id("participant:cleo")}
    atlas_says = {"participant_id": demo_id("participant:Atlas")}
    dan_slack = _conversation(
        sessions["dan-slack"],
        now - timedelta(hours=5),
        [
            ("user", "Why did main fail?", {"participant_id": demo_id("participant:dan")}),
            ("assistant", "A flaky integration test; retrying fixed it.", atlas_says),
            ("user", "Can you open a ticket for it?", {}),
            ("assistant", "I could not finish that request.", atlas_says),
        ],
    )
    messages = [
        *_conversation(
            sessions["cleo-web"],
            now - timedelta(hours=2),
            [
                ("system", "You are Atlas, Acme's reporting assistant.", {}),
                ("user", "Draft the Q3 summary for the board.", cleo_says),
                ("tool_call", tool_call, atlas_says),
                (
                    "assistant",
                    "Q3 revenue was $182k, up 12% on Q2.",
                    {**atlas_says, "thinking": "Compare with Q2 first."},
                ),
                ("user", "Add a line on hiring.", cleo_says),
                ("assistant", "Added: two engineers joined in August.", atlas_says),
            ],
        ),
        *_conversation(
            sessions["cleo-feishu"],
            now - timedelta(days=1),
            [
                ("user", "What is open for tonight's shift?", cleo_says),
                ("assistant", "Two tickets: the door sensor and the printer queue.", atlas_says),
                ("tool_call", "not json: ticket lookup timed out", atlas_says),
            ],
        ),
        *_conversation(
            sessions["cleo-old"],
            now - timedelta(days=2),
            [
                ("user", "Where is the onboarding checklist?", cleo_says),
                ("assistant", "In the handbook, section 2.", atlas_says),
            ],
        ),
        *dan_slack,
        *_conversation(
            sessions["ada-web"],
            now - timedelta(hours=8),
            [
                ("user", "List the open roles.", {}),
                ("assistant", "Backend engineer, designer, support lead.", {}),
            ],
        ),
        *_conversation(
            sessions["group"],
            now - timedelta(hours=1),
            [
                ("user", "Is the launch page live?", cleo_says),
                ("assistant", "Yes, since 09:00 UTC.", atlas_says),
            ],
        ),
        *_conversation(
            sessions["a2a"],
            now - timedelta(minutes=30),
            [
                (
                    "user",
                    "Atlas, please draft release notes for 2.4.",
                    {"participant_id": demo_id("participant:Scribe")},
                ),
                ("assistant", INLINE_REPLY, atlas_says),
            ],
        ),
        *_conversation(
            sessions["trigger"],
            now - timedelta(hours=12),
            [
                ("assistant", "Nightly reflection: three sessions, no escalations.", atlas_says),
            ],
        ),
        *_conversation(
            sessions["scribe-cleo"],
            now - timedelta(hours=3),
            [
                ("user", "Minutes of today's stand-up, please.", cleo_says),
                ("assistant", "Stand-up: API freeze Friday; docs review Monday.", {}),
            ],
        ),
    ]
    cleo_web = sessions["cleo-web"]
    replies = [
        m for m in messages if m.conversation_id == str(cleo_web.id) and m.role == "assistant"
    ]
    return [
        list(sessions.values()),
        messages,
        _failed_run(now, dan_slack[-1]),
        *_chat_runs(now, cleo_web, replies[0]),
    ]


def _events(run: AgentRun, at: datetime, events: list[tuple[str, dict[str, object]]]) -> list:
    """The run's log, a second apart from `at`, with the platform's payloads."""
    return [
        AgentRunEvent(
            id=demo_id(f"run-event:{run.id}:{n}"),
            run_id=run.id,
            tenant_id=run.tenant_id,
            agent_id=run.agent_id,
            event_type=event_type,
            payload=payload,
            created_at=at + timedelta(seconds=n),
        )
        for n, (event_type, payload) in enumerate(events)
    ]


def _chat_runs(now: datetime, session: ChatSession, reply: ChatMessage) -> list[list[object]]:
    """Cleo's web chat at work: a finished run that thought, searched and delivered a
    reply; a failed one; and the active one, waiting on her to settle a file write whose
    outcome is unknown (see Session.activeRun)."""
    running = {"status": "running"}
    search = {
        "activity_type": "tool_call",
        "call_id": "call-search-1",
        "name": "search_docs",
        "args": {"query": "Q3 revenue"},
        "reasoning_content": "The numbers are in the finance wiki.",
    }
    done = new_chat_run(
        session,
        id=demo_id("run:cleo-q3"),
        created_at=reply.created_at - timedelta(minutes=1),
        lane_held=False,
    )
    failed = new_chat_run(
        session,
        id=demo_id("run:cleo-chart"),
        created_at=now - timedelta(minutes=50),
        lane_held=False,
    )
    waiting = new_chat_run(
        session,
        id=demo_id("run:cleo-save"),
        created_at=now - timedelta(minutes=10),
        lane_held=True,
    )
    start = {"status": "queued", "source_type": "chat", "thread_id": str(session.id)}
    events = [
        *_events(
            done,
            done.created_at,
            [
                ("run_created", start),
                ("status_changed", running),
                (
                    "status_changed",
                    {
                        **running,
                        "activity_type": "thinking",
                        "content": "Board wants revenue, churn and hiring.",
                    },
                ),
                ("status_changed", {**running, **search}),
                (
                    "status_changed",
                    {
                        "status": "done",
                        **search,
                        "result": "Revenue +12%, churn 2.1%",
                        "execution_status": "succeeded",
                        "error_code": None,
                    },
                ),
                (
                    "status_changed",
                    {**running, "activity_type": "assistant_progress", "content": "Q3 in brief:"},
                ),
                ("run_completed", {"status": "completed"}),
                (
                    "delivery_succeeded",
                    {
                        "version": 1,
                        "status": "delivered",
                        "delivery_kind": "terminal",
                        "message_id": str(reply.id),
                        "lifecycle_status": "completed",
                        "error_code": None,
                    },
                ),
            ],
        ),
        *_events(
            failed,
            failed.created_at,
            [
                ("run_created", start),
                ("status_changed", running),
                (
                    "run_failed",
                    {"status": "failed", "error_code": "model_timeout", "trace_id": "trace-9c21"},
                ),
            ],
        ),
        *_events(
            waiting,
            waiting.created_at,
            [
                ("run_created", start),
                ("status_changed", running),
                (
                    "status_changed",
                    {
                        **running,
                        "activity_type": "tool_call",
                        "call_id": "call-write-1",
                        "name": "write_file",
                        "args": {"path": "reports/q3.md"},
                    },
                ),
                (
                    "waiting_started",
                    {
                        "status": "waiting_user",
                        "waiting_type": "user",
                        "correlation_id": str(demo_id("correlation:cleo-save")),
                        "reason": "tool_reconciliation_required",
                        "tool_call_id": "call-write-1",
                    },
                ),
            ],
        ),
    ]
    unknown = AgentToolExecution(
        id=demo_id("tool-execution:cleo-save"),
        tenant_id=waiting.tenant_id,
        run_id=waiting.id,
        tool_call_id="call-write-1",
        tool_name="write_file",
        effect="write",
        retry_policy="conditional",
        status="unknown",
        result_summary="The write timed out: reports/q3.md may or may not have been saved.",
        result_metadata={"error_code": "tool_timeout"},
        started_at=waiting.created_at + timedelta(seconds=2),
    )
    return [[done, failed, waiting], events, [unknown]]


def _failed_run(now: datetime, failed: ChatMessage) -> list[object]:
    """The run behind dan's last reply, whose delivery failed: the reply's runtimeError."""
    run = AgentRun(
        id=demo_id("run:dan-slack"),
        tenant_id=demo_id("tenant:acme"),
        agent_id=failed.agent_id,
        session_id=demo_id("session:dan-slack"),
        run_kind="foreground",
        created_at=failed.created_at,
    )
    event = AgentRunEvent(
        id=demo_id("run-event:dan-slack"),
        run_id=run.id,
        tenant_id=run.tenant_id,
        agent_id=run.agent_id,
        event_type="delivery_succeeded",
        payload={
            "lifecycle_status": "failed",
            "message_id": str(failed.id),
            "failure_code": "tool_timeout",
            "failure_message": "The ticket tool did not answer within 30 s.",
            "trace_id": "trace-7f3a",
        },
        created_at=now - timedelta(hours=4),
    )
    return [run, event]


def demo_rows(now: datetime) -> list[list[object]]:
    """The demo's rows in insertion order: each group only refers to the groups before it."""
    return [*_platform(), *_sessions(now)]


async def load_demo(database: Database) -> bool:
    """Fill an empty database with the demo platform; False when it already has data."""
    async with database.transaction() as session:
        if await _is_platform_database(session):
            raise IncompatibleDatabase(
                "This is the platform's database: the demo only goes into the server's own."
            )
        if await has_data(session):
            return False
        for group in demo_rows(utcnow()):
            session.add_all(group)
            await session.flush()
    return True
