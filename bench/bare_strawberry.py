"""Bare Strawberry: the session list document executed over plain objects, for its CPU.

Issue 13's last goal compares this server's CPU per 200-session page with what Strawberry
and graphql-core alone cost for the same document: a schema of plain fields (no loaders,
no database, no extensions, no HTTP), whose objects are built once, before the clock
starts, from the server's own answer. The side-by-side run (`bench.side_by_side`) calls
`cpu_ms` in the same run as its server timings.

    .venv/bin/python -m bench.bare_strawberry ANSWER.json   # the list's JSON answer
"""

import asyncio
import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import strawberry

from bench import documents
from schema.agents import AgentAccess
from schema.sessions import ParticipantType, SessionKind


@strawberry.enum
class SessionScope(Enum):
    MINE = "mine"
    ALL = "all"


@strawberry.type
class User:
    id: strawberry.ID
    display_name: str


@strawberry.type
class Session:
    id: strawberry.ID
    title: str
    display_name: str
    source_channel: str
    participant_type: ParticipantType
    peer_agent_name: str | None
    is_group: bool
    kind: SessionKind
    is_primary: bool
    unread_count: int
    last_message_at: datetime | None
    message_count: int
    user: User | None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class SessionConnection:
    total_count: int
    page_info: PageInfo
    nodes: list[Session]


@strawberry.type
class Agent:
    id: strawberry.ID
    name: str
    viewer_access: AgentAccess
    viewer_can_see_all_sessions: bool
    page: strawberry.Private[SessionConnection]

    @strawberry.field
    def sessions(
        self, scope: SessionScope, first: int, after: str | None = None
    ) -> SessionConnection:
        return self.page


@dataclass
class Root:
    found: Agent


@strawberry.type
class Query:
    @strawberry.field
    def agent(self, info: strawberry.Info, id: strawberry.ID) -> Agent:
        return info.root_value.found


SCHEMA = strawberry.Schema(query=Query)


def _enum(kind: type[Enum], name: str) -> Any:
    return kind[name]


def _session(node: dict[str, Any]) -> Session:
    user = node["user"]
    at = node["lastMessageAt"]
    return Session(
        id=strawberry.ID(node["id"]),
        title=node["title"],
        display_name=node["displayName"],
        source_channel=node["sourceChannel"],
        participant_type=_enum(ParticipantType, node["participantType"]),
        peer_agent_name=node["peerAgentName"],
        is_group=node["isGroup"],
        kind=_enum(SessionKind, node["kind"]),
        is_primary=node["isPrimary"],
        unread_count=node["unreadCount"],
        last_message_at=datetime.fromisoformat(at) if at else None,
        message_count=node["messageCount"],
        user=User(id=strawberry.ID(user["id"]), display_name=user["displayName"]) if user else None,
    )


def objects(answer: dict[str, Any]) -> Root:
    """Plain objects holding exactly the server's answer (`data` of SessionListWithTotal)."""
    agent = answer["agent"]
    sessions = agent["sessions"]
    page = SessionConnection(
        total_count=sessions["totalCount"],
        page_info=PageInfo(
            has_next_page=sessions["pageInfo"]["hasNextPage"],
            end_cursor=sessions["pageInfo"]["endCursor"],
        ),
        nodes=[_session(node) for node in sessions["nodes"]],
    )
    return Root(
        Agent(
            id=strawberry.ID(agent["id"]),
            name=agent["name"],
            viewer_access=_enum(AgentAccess, agent["viewerAccess"]),
            viewer_can_see_all_sessions=agent["viewerCanSeeAllSessions"],
            page=page,
        )
    )


async def cpu_ms(answer: dict[str, Any], variables: dict[str, Any], runs: int = 40) -> float:
    """Process CPU per execution of the list document over `objects(answer)`, median of
    `runs` after 5 warm-ups; checked to give back the same answer."""
    root = objects(answer)
    document = documents.SESSION_LIST_WITH_TOTAL
    times: list[float] = []
    for n in range(runs + 5):
        started = time.process_time()
        result = await SCHEMA.execute(document, variable_values=variables, root_value=root)
        spent = time.process_time() - started
        if result.errors:
            raise RuntimeError(f"bare Strawberry failed: {result.errors}")
        if n == 0 and result.data != answer:
            raise RuntimeError("bare Strawberry's answer differs from the server's")
        if n >= 5:
            times.append(spent * 1000)
    return sorted(times)[len(times) // 2]


def main() -> None:
    answer = json.loads(Path(sys.argv[1]).read_text())
    answer = answer.get("data", answer)
    variables = {"agent": answer["agent"]["id"], "scope": "ALL", "first": 200, "after": None}
    print(f"{asyncio.run(cpu_ms(answer, variables)):.2f} ms CPU per execution")


if __name__ == "__main__":
    main()
