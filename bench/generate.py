"""A deterministic chat platform in PostgreSQL, loaded with COPY, for the benchmark.

    python -m bench.generate [--url URL] [--sessions 10000] [--messages 1000000] [--long 10000]

creates the database URL names (dropping it first), makes it the platform's own database
(`vendor/platform/schema.sql`, as the test suite's PostgreSQL is: `tests/databases.py`),
runs the server's migration on it (its indexes only) and loads, over two connections at
once with the big tables' keys and indexes made after the rows (`Deferred`; 1M sessions
and 6M messages in about 100 s):

- tenants; in each, users of every role (a few inactive, without a display name or without
  an identity) with one participant each; one platform admin;
- the busiest agent, Atlas, whose ALL list holds `sessions` sessions, a twentieth of them
  agent-to-agent sessions other agents started with Atlas as the peer; two growth agents
  listing sessions/100 and sessions/10; two more agents in every tenant;
- the channel mix: web, feishu, slack, discord, group chats, agent-to-agent, trigger, plus a
  few sessions without messages (never listed);
- messages of every role: tool_call JSON (some without status or result, a few not JSON),
  inline ```tool_code blocks in agent-to-agent replies, thinking text; three sessions of
  Atlas hold exactly long/100, long/10 and long messages; `messages` in all;
- last_message_at: the newest message's time, null when there is none;
- the platform's session kinds (direct, group, a2a, trigger), each owner's most recently
  active direct session with an agent marked primary, and last_read_at_by_user set for
  most direct sessions (some read up to date, some part-way, some never), so lists carry
  unread counts;
- every NOT NULL column of the platform's tables the plan does not fill (a tenant's slug,
  an agent's quotas...) with a value of its type read from the catalog, as
  `tests/factories.py` does.

`Plan.issue()` is the side-by-side plan of issue 13: 199 sessions on the busiest agent,
10 messages each.

One seed drives every choice, so equal sizes give equal rows, ids included. The rows the
benchmark drives have ids derived from their names (`named_id("agent:busy")`).
"""

import argparse
import asyncio
import json
import multiprocessing
import random
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

import asyncpg
from sqlalchemy.engine import make_url

from db.engine import Database
from db.migrate import upgrade
from settings import async_database_url
from tests.databases import load_platform_schema

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/chat_bench"
PLAN_COMMENT = "chat-bench plan "
END = datetime(2026, 6, 1, tzinfo=UTC)
_NAMESPACE = uuid.UUID("0b8a3f5e-6c1d-4e27-9d0f-1f3c5a7b9e21")


def named_id(name: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, name)


BUSY_TENANT = named_id("tenant:0")
"""The tenant of the busiest agent, the growth agents and the users the benchmark drives."""
BUSY_AGENT = named_id("agent:busy")
PLATFORM_ADMIN = named_id("user:root")
BUSY_CREATOR = named_id("user:creator")
AGENT_ADMIN = named_id("user:agent-admin")
HEAVY_MEMBER = named_id("user:heavy")


def growth_agent(size: int) -> uuid.UUID:
    return named_id(f"agent:growth-{size}")


def long_session(size: int) -> uuid.UUID:
    return named_id(f"session:long-{size}")


@dataclass(frozen=True)
class Plan:
    sessions: int = 10_000
    """Sessions in the busiest agent's ALL list."""
    messages: int = 1_000_000
    """Messages in all."""
    long: int = 10_000
    """Messages of the longest session."""
    seed: int = 7
    tenants: int = 3
    users_per_tenant: int = 100
    other_agents_per_tenant: int = 2
    per_session: int = 0
    """Messages in every listed session (0: a skewed mix adding up to `messages`)."""

    @classmethod
    def issue(cls) -> "Plan":
        """Issue 13's side-by-side data: 199 listed sessions of 10 messages each."""
        sessions, per_session = 199, 10
        own = sessions - max(1, sessions // 20) - 1  # the one long session is 10 long too
        others = 3 * 2 * max(4, sessions // 50) + max(2, sessions // 100) + max(4, sessions // 10)
        return cls(
            sessions=sessions,
            messages=per_session * (own + others + max(1, sessions // 20) + 1),
            long=per_session,
            per_session=per_session,
        )

    @property
    def growth_sizes(self) -> tuple[int, int]:
        return max(2, self.sessions // 100), max(4, self.sessions // 10)

    @property
    def long_sizes(self) -> tuple[int, ...]:
        if self.per_session:
            return (self.long,)
        return max(1, self.long // 100), max(2, self.long // 10), self.long

    @property
    def chat_size(self) -> int:
        """The long session the chat view and the mixed load read."""
        return self.long_sizes[min(1, len(self.long_sizes) - 1)]

    @property
    def other_agent_sessions(self) -> int:
        return max(4, self.sessions // 50)

    @property
    def peer_sessions(self) -> int:
        return max(1, self.sessions // 20)

    def fingerprint(self) -> str:
        return PLAN_COMMENT + json.dumps(asdict(self), sort_keys=True)


# What a session is, with its weight in the mix of an agent's own sessions.
KINDS = (
    ("web", 60),
    ("feishu", 10),
    ("slack", 8),
    ("discord", 6),
    ("group", 6),
    ("agent", 6),
    ("trigger", 4),
)
TOPICS = (
    "Quarterly report",
    "Build failures",
    "Shift handover",
    "Hiring plan",
    "Customer escalation",
    "Release notes",
    "Invoice questions",
    "Onboarding checklist",
    "Incident review",
    "Roadmap ideas",
    "Pricing page copy",
    "Data export",
)
SENTENCES = (
    "Can you check the numbers for last week?",
    "Here is the summary you asked for.",
    "The deployment finished without errors.",
    "I could not find a matching record in the CRM.",
    "Please draft a reply to the customer and keep it short.",
    "Revenue was up twelve percent on the previous quarter.",
    "The flaky integration test failed again on main.",
    "Let me know if you want the details broken down by region.",
    "Two tickets are still open: the door sensor and the printer queue.",
    "I have updated the shared notes with the decisions from today.",
    "What changed between version 2.3 and 2.4?",
    "The export contains 1,284 rows and three empty columns.",
    "Schedule the review for Thursday afternoon.",
    "Sure — I will look into it and report back.",
    "收到 谢谢",
    "Les chiffres sont dans le tableau ci-dessous.",
    "Step 1: open the dashboard. Step 2: filter by team.",
    "```python\nprint(sum(row['total'] for row in rows))\n```",
    "| region | total |\n|---|---|\n| EU | 81,200 |\n| US | 100,800 |",
    "Thanks, that is exactly what I needed.",
)
THOUGHTS = (
    "The user wants a short answer; check the latest figures first.",
    "Compare with the previous quarter before summarising.",
    "The tool result is incomplete, so mention the gap.",
    "Two sources disagree; prefer the ledger.",
)
TOOLS = ("search_docs", "fetch_sales", "create_ticket", "send_email", "run_sql", "summarise")


def _text(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(sentences))


def _tool_call(rng: random.Random) -> str:
    if rng.random() < 0.03:
        return "not json: the tool call timed out before it returned"
    call: dict[str, object] = {
        "name": rng.choice(TOOLS),
        "args": {"query": rng.choice(TOPICS), "limit": rng.randint(1, 20)},
    }
    if rng.random() < 0.85:
        call["status"] = rng.choice(("done", "done", "done", "error", "running"))
    if rng.random() < 0.8:
        call["result"] = (
            {"rows": rng.randint(0, 500), "total": rng.randint(0, 10**6)}
            if rng.random() < 0.5
            else _text(rng, 1)
        )
    return json.dumps(call, ensure_ascii=False)


def _inline_reply(rng: random.Random) -> str:
    blocks = [_text(rng, 1)]
    for _ in range(rng.randint(1, 3)):
        blocks.append(f"```tool_code\n{rng.choice(TOOLS)}\n```")
        roll = rng.random()
        if roll < 0.6:
            args = json.dumps({"query": rng.choice(TOPICS)})
            blocks.append(f"```json\n{args}\n```")
        elif roll < 0.7:
            blocks.append("```json\nregion=EU, limit=3\n```")
        blocks.append(_text(rng, rng.randint(0, 2)))
    return "\n".join(blocks)


@dataclass
class Pools:
    """Message texts drawn once per run: picking from them keeps a million rows cheap."""

    user: list[str]
    assistant: list[str]
    inline: list[str]
    tool_call: list[str]
    system: list[str]

    @classmethod
    def draw(cls, rng: random.Random) -> "Pools":
        return cls(
            user=[_text(rng, rng.randint(1, 3)) for _ in range(400)],
            assistant=[_text(rng, rng.randint(1, 8)) for _ in range(400)],
            inline=[_inline_reply(rng) for _ in range(200)],
            tool_call=[_tool_call(rng) for _ in range(300)],
            system=[
                "You are a helpful assistant for the team.",
                "Trigger fired: daily digest at 09:00.",
                "Context: the customer is on the enterprise plan.",
            ],
        )


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> uuid.UUID:
        bits = self.rng.getrandbits(128)
        bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
        bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
        return uuid.UUID(int=bits)


@dataclass
class SessionSpec:
    """A session row, and what its messages need to know to be written."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    agent_id: uuid.UUID
    kind: str
    created_at: datetime
    message_count: int
    user_id: uuid.UUID | None = None
    title: str = "New Session"
    external_conv_id: str | None = None
    group_name: str | None = None
    peer_agent_id: uuid.UUID | None = None
    participant_id: uuid.UUID | None = None
    speakers: list[tuple[uuid.UUID | None, uuid.UUID | None]] = field(default_factory=list)
    """(user id, participant id) of the ones who send this session's user messages."""
    last_message_at: datetime | None = None
    is_primary: bool = False
    last_read_at: datetime | None = None

    @property
    def source_channel(self) -> str:
        if self.kind == "group":
            return ("feishu", "slack", "discord")[self.id.int % 3]
        return self.kind

    @property
    def session_type(self) -> str:
        """The platform's type: channels of one user are all direct chats."""
        return {"group": "group", "agent": "a2a", "trigger": "trigger"}.get(self.kind, "direct")

    def row(self) -> tuple[object, ...]:
        return (
            self.id,
            self.tenant_id,
            self.session_type,
            self.agent_id,
            self.user_id,
            self.title,
            self.source_channel,
            self.external_conv_id,
            self.kind == "group",
            self.group_name,
            self.participant_id,
            self.peer_agent_id,
            self.created_at,
            self.created_at,
            self.last_message_at,
            self.is_primary,
            self.last_read_at,
        )


SESSION_COLUMNS = (
    "id",
    "tenant_id",
    "session_type",
    "agent_id",
    "user_id",
    "title",
    "source_channel",
    "external_conv_id",
    "is_group",
    "group_name",
    "participant_id",
    "peer_agent_id",
    "created_at",
    "updated_at",
    "last_message_at",
    "is_primary",
    "last_read_at_by_user",
)
MESSAGE_COLUMNS = (
    "id",
    "agent_id",
    "user_id",
    "role",
    "content",
    "conversation_id",
    "participant_id",
    "thinking",
    "created_at",
)


@dataclass
class Platform:
    """Every row but the messages, which `messages()` streams session by session."""

    plan: Plan
    tables: dict[str, tuple[tuple[str, ...], list[tuple[object, ...]]]]
    sessions: list[SessionSpec]
    pools: Pools
    agent_participants: dict[uuid.UUID, uuid.UUID]

    def messages(self) -> Iterator[tuple[object, ...]]:
        """Every message row, oldest first within a session; fills in last_message_at."""
        yield from self.conversations(self.sessions)
        _mark_primary_and_read(self.plan, self.sessions)

    def conversations(self, specs: list[SessionSpec]) -> Iterator[tuple[object, ...]]:
        """The message rows of these sessions; fills in their last_message_at."""
        for spec in specs:
            rng = random.Random(f"{self.plan.seed}:{spec.id}")
            yield from _conversation(spec, rng, self.pools, self.agent_participants)


def _mark_primary_and_read(plan: Plan, sessions: list[SessionSpec]) -> None:
    """Each owner's most recently active direct session with an agent is primary; most
    direct sessions were read by their owner, up to date or part-way (unread counts)."""
    newest: dict[tuple[uuid.UUID, uuid.UUID], SessionSpec] = {}
    for spec in sessions:
        if spec.session_type != "direct" or spec.user_id is None:
            continue
        key = (spec.agent_id, spec.user_id)
        active = spec.last_message_at or spec.created_at
        best = newest.get(key)
        if best is None or active > (best.last_message_at or best.created_at):
            newest[key] = spec
        rng = random.Random(f"{plan.seed}:read:{spec.id}")
        roll = rng.random()
        if spec.last_message_at is None or roll < 0.2:
            spec.last_read_at = None  # never read: every reply is unread
        elif roll < 0.6:
            spec.last_read_at = spec.last_message_at
        else:
            span = (spec.last_message_at - spec.created_at).total_seconds()
            spec.last_read_at = spec.created_at + timedelta(seconds=rng.uniform(0, span))
    for spec in sessions:
        spec.is_primary = False
    for spec in newest.values():
        spec.is_primary = True


def _conversation(
    spec: SessionSpec,
    rng: random.Random,
    pools: Pools,
    agent_participants: dict[uuid.UUID, uuid.UUID],
) -> Iterator[tuple[object, ...]]:
    ids = Ids(rng)
    conversation = str(spec.id)
    agent, agent_says = spec.agent_id, agent_participants[spec.agent_id]
    moment = spec.created_at + timedelta(seconds=rng.uniform(5, 60))
    # Long sessions keep their messages within weeks, like a busy real conversation.
    gap = 90.0 if spec.message_count > 1000 else 240.0
    roles = _roles(spec.kind, rng)
    for _ in range(spec.message_count):
        role = next(roles)
        user_id = thinking = None
        participant: uuid.UUID | None = agent_says
        if role == "user":
            user_id, participant = rng.choice(spec.speakers)
            content = pools.user[rng.randrange(len(pools.user))]
        elif role == "assistant":
            if spec.kind == "agent" and rng.random() < 0.4:
                content = pools.inline[rng.randrange(len(pools.inline))]
            else:
                content = pools.assistant[rng.randrange(len(pools.assistant))]
            if rng.random() < 0.3:
                thinking = THOUGHTS[rng.randrange(len(THOUGHTS))]
        elif role == "tool_call":
            content = pools.tool_call[rng.randrange(len(pools.tool_call))]
        else:
            content = pools.system[1 if spec.kind == "trigger" else rng.randrange(3)]
            participant = None
        if rng.random() < 0.02:
            participant = None  # rows written before participants existed
        yield (ids(), agent, user_id, role, content, conversation, participant, thinking, moment)
        spec.last_message_at = moment
        moment += timedelta(seconds=rng.uniform(1, gap))


def _roles(kind: str, rng: random.Random) -> Iterator[str]:
    """Roles in the order a conversation of this kind has them."""
    if kind == "trigger" or rng.random() < 0.1:
        yield "system"
    while True:
        if kind != "trigger":
            yield "user"
        if rng.random() < 0.35:
            for _ in range(rng.randint(1, 3)):
                yield "tool_call"
        yield "assistant"


def _message_counts(rng: random.Random, sessions: int, messages: int) -> list[int]:
    """`sessions` counts, each at least 1, summing to `messages`, skewed like real use."""
    weights = [min(rng.paretovariate(1.5), 40.0) for _ in range(sessions)]
    spare = messages - sessions
    total = sum(weights)
    counts = [1 + int(weight / total * spare) for weight in weights]
    for index in range(messages - sum(counts)):
        counts[index % sessions] += 1
    return counts


def build(plan: Plan) -> Platform:
    """Every row of the plan but the messages, deterministically."""
    rng = random.Random(plan.seed)
    ids = Ids(rng)
    identities: list[tuple[object, ...]] = []
    users: list[tuple[object, ...]] = []
    participants: list[tuple[object, ...]] = []
    agents: list[tuple[object, ...]] = []
    permissions: list[tuple[object, ...]] = []
    tenants = [(named_id(f"tenant:{n}"), f"Tenant {n}") for n in range(plan.tenants)]
    user_participant: dict[uuid.UUID, uuid.UUID] = {}
    agent_participant: dict[uuid.UUID, uuid.UUID] = {}
    members: dict[uuid.UUID, list[uuid.UUID]] = {}
    joined = END - timedelta(days=720)

    def add_user(
        user_id: uuid.UUID, tenant: uuid.UUID, username: str, name: str, role: str, active: bool
    ) -> None:
        identity: uuid.UUID | None = ids()
        if rng.random() < 0.03 and role == "member":
            identity = None
        else:
            identities.append((identity, username, f"{username}@example.com"))
        display = "" if role == "member" and rng.random() < 0.05 else name
        users.append((user_id, identity, tenant, display, None, role, active, joined))
        participant = ids()
        user_participant[user_id] = participant
        participants.append((participant, "user", user_id, name, None, joined))

    def add_agent(agent_id: uuid.UUID, name: str, creator: uuid.UUID, tenant: uuid.UUID) -> None:
        agents.append((agent_id, name, None, creator, tenant, joined))
        participant = ids()
        agent_participant[agent_id] = participant
        participants.append((participant, "agent", agent_id, name, None, joined))

    tenant0 = tenants[0][0]
    assert tenant0 == BUSY_TENANT
    add_user(PLATFORM_ADMIN, tenant0, "bench-root", "Platform Root", "platform_admin", True)
    add_user(BUSY_CREATOR, tenant0, "bench-creator", "Atlas Creator", "org_admin", True)
    add_user(AGENT_ADMIN, tenant0, "bench-agent-admin", "Agent Admin", "agent_admin", True)
    add_user(HEAVY_MEMBER, tenant0, "bench-heavy", "Heavy Member", "member", True)
    for number, (tenant, _) in enumerate(tenants):
        tenant_members = members.setdefault(tenant, [])
        for index in range(plan.users_per_tenant):
            role = "org_admin" if index < 2 else "agent_admin" if index < 5 else "member"
            user_id = ids()
            username = f"user-{number}-{index}"
            add_user(user_id, tenant, username, f"User {number}.{index}", role, rng.random() > 0.04)
            if role == "member":
                tenant_members.append(user_id)

    add_agent(BUSY_AGENT, "Atlas", BUSY_CREATOR, tenant0)
    permissions.append((ids(), BUSY_AGENT, "company", None, "use"))
    permissions.append((ids(), BUSY_AGENT, "user", members[tenant0][1], "manage"))
    for size in plan.growth_sizes:
        add_agent(growth_agent(size), f"Growth {size}", BUSY_CREATOR, tenant0)
        permissions.append((ids(), growth_agent(size), "company", None, "use"))
    others: dict[uuid.UUID, list[uuid.UUID]] = {}
    for number, (tenant, _) in enumerate(tenants):
        creator = users[4 + number * plan.users_per_tenant][0]
        for index in range(plan.other_agents_per_tenant):
            agent_id = ids()
            add_agent(agent_id, f"Agent {number}.{index}", creator, tenant)
            others.setdefault(tenant, []).append(agent_id)
            permissions.append((ids(), agent_id, "company", None, "use"))

    # Who owns a session: a few members own most (Zipf), as on a real platform.
    popularity = {
        tenant: list(accumulate(1 / rank for rank in range(1, len(people) + 1)))
        for tenant, people in members.items()
    }
    sessions: list[SessionSpec] = []
    start = END - timedelta(days=365)

    def new_session(
        agent: uuid.UUID,
        tenant: uuid.UUID,
        kind: str,
        count: int,
        owner: uuid.UUID | None = None,
        peer: uuid.UUID | None = None,
    ) -> SessionSpec:
        session_id = ids()
        topic = rng.choice(TOPICS)
        spec = SessionSpec(
            id=session_id,
            tenant_id=tenant,
            agent_id=agent,
            kind=kind,
            created_at=start + timedelta(seconds=rng.uniform(0, 364 * 86400)),
            message_count=count,
            title=topic,
        )
        people = members[tenant]
        if kind in ("web", "feishu", "slack", "discord"):
            spec.user_id = owner or rng.choices(people, cum_weights=popularity[tenant])[0]
            spec.speakers = [(spec.user_id, user_participant[spec.user_id])]
            if kind != "web":
                spec.external_conv_id = f"{kind}-{session_id.hex[:16]}"
        elif kind == "group":
            speakers = rng.sample(people, min(len(people), rng.randint(2, 6)))
            spec.user_id = speakers[0] if rng.random() < 0.7 else None
            spec.group_name = f"#{topic.lower().replace(' ', '-')}" if rng.random() < 0.8 else None
            spec.external_conv_id = f"group-{session_id.hex[:16]}"
            spec.speakers = [(person, user_participant[person]) for person in speakers]
        elif kind == "agent":
            peers = [other for other in others[tenant] if other != agent]
            spec.peer_agent_id = peer or rng.choice(peers)
            spec.participant_id = agent_participant[agent]
            spec.speakers = [(None, agent_participant[spec.peer_agent_id])]
            spec.title = f"Agent-to-agent: {topic}"
        else:
            spec.user_id = next(row[3] for row in agents if row[0] == agent)
            spec.title = f"Trigger: {topic}"
        sessions.append(spec)
        return spec

    def own_sessions(agent: uuid.UUID, tenant: uuid.UUID, count: int, heavy: bool) -> None:
        """`count` listed sessions with the channel mix (every kind once first), plus empties."""
        kinds = [kind for kind, _ in KINDS]
        kinds += rng.choices(kinds, weights=[w for _, w in KINDS], k=max(0, count - len(kinds)))
        for kind in kinds[:count]:
            owner = HEAVY_MEMBER if heavy and kind == "web" and rng.random() < 0.25 else None
            new_session(agent, tenant, kind, -1, owner)
        for _ in range(max(1, count // 33)):
            new_session(agent, tenant, "web", 0)

    own_sessions(
        BUSY_AGENT, tenant0, plan.sessions - plan.peer_sessions - len(plan.long_sizes), heavy=True
    )
    for size in plan.long_sizes:
        spec = new_session(BUSY_AGENT, tenant0, "web", size, HEAVY_MEMBER)
        spec.id = long_session(size)
        spec.title = f"Long conversation ({size} messages)"
    for _ in range(plan.peer_sessions):
        new_session(rng.choice(others[tenant0]), tenant0, "agent", -1, peer=BUSY_AGENT)
    for size in plan.growth_sizes:
        own_sessions(growth_agent(size), tenant0, size, heavy=False)
    for tenant, agent_ids in others.items():
        for agent_id in agent_ids:
            own_sessions(agent_id, tenant, plan.other_agent_sessions, heavy=False)

    open_sessions = [spec for spec in sessions if spec.message_count < 0]
    spare = plan.messages - sum(plan.long_sizes)
    if plan.per_session:
        if spare != plan.per_session * len(open_sessions):
            raise ValueError(f"{plan.messages} messages are not {plan.per_session} a session.")
        for spec in open_sessions:
            spec.message_count = plan.per_session
    elif spare < len(open_sessions):
        raise ValueError(
            f"{plan.messages} messages cannot give each of {len(open_sessions)} sessions one."
        )
    else:
        for spec, count in zip(
            open_sessions, _message_counts(rng, len(open_sessions), spare), strict=True
        ):
            spec.message_count = count

    return Platform(
        plan=plan,
        tables={
            "tenants": (("id", "name"), tenants),
            "identities": (("id", "username", "email"), identities),
            "users": (
                (
                    "id",
                    "identity_id",
                    "tenant_id",
                    "display_name",
                    "avatar_url",
                    "role",
                    "is_active",
                    "created_at",
                ),
                users,
            ),
            "agents": (
                ("id", "name", "avatar_url", "creator_id", "tenant_id", "created_at"),
                agents,
            ),
            "agent_permissions": (
                ("id", "agent_id", "scope_type", "scope_id", "access_level"),
                permissions,
            ),
            "participants": (
                ("id", "type", "ref_id", "display_name", "avatar_url", "created_at"),
                participants,
            ),
        },
        sessions=sessions,
        pools=Pools.draw(random.Random(plan.seed + 1)),
        agent_participants=agent_participant,
    )


def _server_and_name(url: str) -> tuple[str, str]:
    parsed = make_url(url)
    assert parsed.database, f"{url} names no database"
    server = parsed.set(drivername="postgresql", database="postgres")
    return server.render_as_string(hide_password=False), parsed.database


def plain_url(url: str) -> str:
    """The URL asyncpg.connect takes (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def recreate_database(url: str) -> None:
    server, name = _server_and_name(url)
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def stored_plan(url: str) -> str | None:
    """The fingerprint of the plan a complete load left on the database; None if absent."""
    server, name = _server_and_name(url)
    connection = await asyncpg.connect(server)
    try:
        return await connection.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
    finally:
        await connection.close()


LOADED = ("chat_messages", "chat_sessions")


@dataclass
class Deferred:
    """The indexes and constraints of the two big tables, dropped while COPY fills them and
    made again from their own definitions afterwards: built once from all rows, not row by
    row (and keys made after the rows need no checking against each other while loading)."""

    indexes: list[str]
    keys: list[tuple[str, str, str]]
    """(table, name, definition) of the tables' primary keys and unique constraints."""
    references: list[tuple[str, str, str]]
    """(table, name, definition) of the foreign keys that reference them."""

    @classmethod
    async def drop(cls, connection: asyncpg.Connection) -> "Deferred":
        indexes = await connection.fetch(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.schemaname = 'public' AND i.tablename = ANY($1::text[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            LOADED,
        )
        constraints = await connection.fetch(
            """
            SELECT c.contype = 'f' AS reference, c.conrelid::regclass::text AS relation,
                   c.conname, pg_get_constraintdef(c.oid) AS definition
            FROM pg_constraint c
            WHERE (c.contype IN ('p', 'u') AND c.conrelid = ANY($1::regclass[]))
               OR (c.contype = 'f' AND c.confrelid = ANY($1::regclass[]))
            """,
            LOADED,
        )
        found = cls(
            [row["indexdef"] for row in indexes],
            [tuple(row)[1:] for row in constraints if not row["reference"]],
            [tuple(row)[1:] for row in constraints if row["reference"]],
        )
        for table, name, _ in (*found.references, *found.keys):
            await connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for row in indexes:
            await connection.execute(f'DROP INDEX "{row["indexname"]}"')
        return found

    async def restore(self, url: str, connections: int) -> None:
        """The keys and indexes over `connections` connections at once, then the references."""
        keys = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in self.keys]
        await _each(url, [*keys, *self.indexes], connections)
        references = [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in self.references]
        await _each(url, references, 1)


async def _each(url: str, statements: list[str], connections: int) -> None:
    """Run the statements, in order, over `connections` connections at once."""
    queue = list(statements)

    async def run() -> None:
        connection = await _loading_connection(url)
        try:
            while queue:
                await connection.execute(queue.pop(0))
        finally:
            await connection.close()

    await asyncio.gather(*(run() for _ in range(connections)))


# Platform-only columns whose generic value would read oddly (or break the access rules).
PLATFORM_VALUES: dict[str, dict[str, object]] = {
    "agents": {"access_mode": "company", "company_access_level": "use", "status": "running"},
    "tenants": {"im_provider": "web_only", "timezone": "UTC", "country_region": "US"},
}


def _platform_value(table: str, name: str, kind: str, labels: list[str] | None) -> object:
    """A value of a column's type, for the platform's NOT NULL columns the plan leaves out.
    Text is made unique per row by `_Extras` (the platform has unique text columns)."""
    if name in PLATFORM_VALUES.get(table, {}):
        return PLATFORM_VALUES[table][name]
    if labels:
        return labels[0]
    if kind == "bool":
        return False
    if kind in ("int2", "int4", "int8", "numeric", "float4", "float8"):
        return 1
    if kind in ("json", "jsonb"):
        return "{}"
    if kind in ("timestamptz", "timestamp"):
        return END
    if kind == "uuid":
        return uuid.UUID(int=0)
    if kind in ("varchar", "text", "bpchar"):
        return None  # unique per row
    raise TypeError(f"no platform value for {table}.{name} ({kind})")


class _Extras:
    """The values of one table's unfilled NOT NULL columns, appended to each COPY record."""

    def __init__(self, table: str, columns: list[tuple[str, object, int | None]]) -> None:
        self.table = table
        self.names = tuple(name for name, _, _ in columns)
        self.columns = columns

    def records(self, rows: object) -> Iterator[tuple[object, ...]]:
        if not self.columns:
            yield from rows  # type: ignore[misc]
            return
        for number, row in enumerate(rows):  # type: ignore[arg-type]
            yield (*row, *self._values(number))

    def _values(self, number: int) -> tuple[object, ...]:
        return tuple(
            f"{self.table[:8]}-{name[:8]}-{number}"[: length or 64] if value is None else value
            for name, value, length in self.columns
        )


async def _extras(connection: asyncpg.Connection, table: str, filled: tuple[str, ...]) -> _Extras:
    rows = await connection.fetch(
        """
        SELECT a.attname AS name, t.typname AS kind,
               CASE WHEN a.atttypmod > 4 THEN a.atttypmod - 4 END AS length,
               ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE e.enumtypid = t.oid
                     ORDER BY e.enumsortorder) AS labels
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
          AND a.attnotnull AND NOT a.atthasdef AND a.attidentity = ''
        ORDER BY a.attnum
        """,
        table,
    )
    columns = [
        (name, _platform_value(table, name, row["kind"], row["labels"]), row["length"])
        for row in rows
        if (name := row["name"]) not in filled
    ]
    return _Extras(table, columns)


async def _copy(
    connection: asyncpg.Connection, table: str, columns: tuple[str, ...], rows: object
) -> None:
    extras = await _extras(connection, table, columns)
    await connection.copy_records_to_table(
        table, records=extras.records(rows), columns=(*columns, *extras.names)
    )


async def _loading_connection(url: str) -> asyncpg.Connection:
    """A connection that skips the foreign-key triggers: the rows reference each other
    correctly by construction, and COPY is several times faster without them."""
    connection = await asyncpg.connect(plain_url(url))
    await connection.execute("SET session_replication_role = replica")
    await connection.execute("SET maintenance_work_mem = '512MB'")
    return connection


_forked: Platform | None = None
"""The platform the message writers inherit when they fork (nothing is pickled)."""


def _write_messages(url: str, part: int, parts: int) -> list[datetime | None]:
    """In a forked process: COPY the messages of every `parts`-th session from `part`;
    their sessions' last_message_at, in order."""
    assert _forked is not None
    specs = _forked.sessions[part::parts]

    async def copy() -> None:
        connection = await _loading_connection(url)
        try:
            rows = _forked.conversations(specs)
            await _copy(connection, "chat_messages", MESSAGE_COLUMNS, rows)
        finally:
            await connection.close()

    asyncio.run(copy())
    return [spec.last_message_at for spec in specs]


async def _copy_messages(url: str, platform: Platform, parts: int) -> None:
    """The messages over `parts` processes and connections at once (generating them is
    most of a load's CPU); fills in each session's last_message_at, read marks and
    primary flag."""
    global _forked
    _forked = platform
    try:
        with ProcessPoolExecutor(parts, mp_context=multiprocessing.get_context("fork")) as pool:
            done = [
                asyncio.wrap_future(pool.submit(_write_messages, url, part, parts))
                for part in range(parts)
            ]
            written = await asyncio.gather(*done)
    finally:
        _forked = None
    for part, moments in enumerate(written):
        for spec, moment in zip(platform.sessions[part::parts], moments, strict=True):
            spec.last_message_at = moment
    _mark_primary_and_read(platform.plan, platform.sessions)


async def _vacuum_others(url: str) -> None:
    """VACUUM (ANALYZE) of every table but chat_messages, which another connection takes."""
    connection = await _loading_connection(url)
    try:
        tables = await connection.fetch(
            "SELECT quote_ident(tablename) AS name FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename <> 'chat_messages'"
        )
        await connection.execute(f"VACUUM (ANALYZE) {', '.join(row['name'] for row in tables)}")
    finally:
        await connection.close()


async def load(url: str, plan: Plan, log: bool = False, parts: int = 2) -> dict[str, int]:
    """Make the empty database at `url` the platform's, migrate it and fill it, writing
    over `parts` connections at once; the row count of every table."""

    def say(message: str) -> None:
        if log:
            print(message, flush=True)

    clock = time.perf_counter()
    await load_platform_schema(url)
    database = Database.from_url(async_database_url(url))
    try:
        await upgrade(database)
    finally:
        await database.dispose()
    platform = build(plan)
    say(f"planned {len(platform.sessions)} sessions in {time.perf_counter() - clock:.1f}s")

    connection = await _loading_connection(url)
    try:
        deferred = await Deferred.drop(connection)
        for table, (columns, rows) in platform.tables.items():
            await _copy(connection, table, columns, rows)
        await _copy_messages(url, platform, parts)
        say(f"copied {plan.messages} messages at {time.perf_counter() - clock:.1f}s")
        await _copy(
            connection, "chat_sessions", SESSION_COLUMNS, [spec.row() for spec in platform.sessions]
        )
        await deferred.restore(url, parts)
        say(f"indexed at {time.perf_counter() - clock:.1f}s")
        await asyncio.gather(
            connection.execute("VACUUM (ANALYZE) chat_messages"),
            _vacuum_others(url),
        )
        say(f"vacuumed and analysed at {time.perf_counter() - clock:.1f}s")
        counts = {
            table: await connection.fetchval(f"SELECT count(*) FROM {table}")
            for table in (*platform.tables, "chat_sessions", "chat_messages")
        }
        _, name = _server_and_name(url)
        comment = plan.fingerprint().replace("'", "''")
        await connection.execute(f"COMMENT ON DATABASE \"{name}\" IS '{comment}'")
    finally:
        await connection.close()
    return counts


async def generate(url: str, plan: Plan, log: bool = False) -> dict[str, int]:
    await recreate_database(url)
    return await load(url, plan, log)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Plan()
    parser.add_argument("--url", default=DEFAULT_URL, help="the database to (re)create")
    parser.add_argument("--sessions", type=int, default=defaults.sessions)
    parser.add_argument("--messages", type=int, default=defaults.messages)
    parser.add_argument("--long", type=int, default=defaults.long)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--issue", action="store_true", help="Plan.issue(): 199 sessions x 10")
    args = parser.parse_args(argv)
    plan = (
        Plan.issue()
        if args.issue
        else Plan(sessions=args.sessions, messages=args.messages, long=args.long, seed=args.seed)
    )
    started = time.perf_counter()
    counts = asyncio.run(generate(args.url, plan, log=True))
    print(json.dumps(counts), f"in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
