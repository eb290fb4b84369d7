"""A small, realistic platform to explore the API with.

Ids are derived from names (uuid5), so the README's example ids hold on every machine.
"""

import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import Database
from db.models import (
    Agent,
    AgentPermission,
    ChatMessage,
    ChatSession,
    Identity,
    Participant,
    Tenant,
    User,
)
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
    # name, creator, tenant
    ("Atlas", "ada", "acme"),
    ("Scribe", "ben", "acme"),
    ("Vault", "ben", "acme"),
    ("Orion", "gina", "globex"),
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
    for name, creator, tenant in AGENTS:
        agents.append(
            Agent(
                id=demo_id(f"agent:{name}"),
                name=name,
                creator_id=demo_id(f"user:{creator}"),
                tenant_id=demo_id(f"tenant:{tenant}"),
            )
        )
    rows: list[object] = [
        AgentPermission(agent_id=demo_id("agent:Atlas"), scope_type="company", access_level="use"),
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
    atlas, scribe = demo_id("agent:Atlas"), demo_id("agent:Scribe")
    cleo, dan, ada = demo_id("user:cleo"), demo_id("user:dan"), demo_id("user:ada")

    def session(key: str, **columns: object) -> ChatSession:
        return ChatSession(
            id=demo_id(f"session:{key}"), created_at=now - timedelta(days=3), **columns
        )

    sessions = {
        "cleo-web": session(
            "cleo-web", agent_id=atlas, user_id=cleo, title="Quarterly report draft"
        ),
        "cleo-feishu": session(
            "cleo-feishu",
            agent_id=atlas,
            user_id=cleo,
            title="Shift handover",
            source_channel="feishu",
        ),
        "dan-slack": session(
            "dan-slack", agent_id=atlas, user_id=dan, title="Build failures", source_channel="slack"
        ),
        "ada-web": session("ada-web", agent_id=atlas, user_id=ada, title="Hiring plan"),
        "group": session(
            "group",
            agent_id=atlas,
            user_id=cleo,
            title="Launch war room",
            source_channel="discord",
            is_group=True,
            group_name="#launch",
        ),
        "a2a": session(
            "a2a",
            agent_id=atlas,
            title="Release notes",
            source_channel="agent",
            peer_agent_id=scribe,
            participant_id=demo_id("participant:Atlas"),
        ),
        "trigger": session(
            "trigger", agent_id=atlas, title="Nightly reflection", source_channel="trigger"
        ),
        "empty": session("empty", agent_id=atlas, user_id=cleo, title="New Session"),
        "scribe-cleo": session(
            "scribe-cleo", agent_id=scribe, user_id=cleo, title="Meeting minutes"
        ),
    }
    tool_call = json.dumps(
        {
            "name": "fetch_sales",
            "args": {"quarter": "Q3"},
            "status": "done",
            "result": {"total": 182000},
        }
    )
    cleo_says = {"participant_id": demo_id("participant:cleo")}
    atlas_says = {"participant_id": demo_id("participant:Atlas")}
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
            sessions["dan-slack"],
            now - timedelta(hours=5),
            [
                ("user", "Why did main fail?", {"participant_id": demo_id("participant:dan")}),
                ("assistant", "A flaky integration test; retrying fixed it.", atlas_says),
            ],
        ),
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
    return [list(sessions.values()), messages]


async def load_demo(database: Database) -> bool:
    """Fill an empty database with the demo platform; False when it already has data."""
    async with database.transaction() as session:
        if await has_data(session):
            return False
        for group in [*_platform(), *_sessions(utcnow())]:
            session.add_all(group)
            await session.flush()
    return True
