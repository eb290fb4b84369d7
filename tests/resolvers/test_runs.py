"""Session.activeRun, Session.runs, Run.events and Agent.unreadCount, by the SPEC's rules.

Runs, events, commands and tool receipts are written as the platform writes them
(tests/factories.py), on the platform's schema (PostgreSQL) and the server's own (SQLite).
"""

import uuid
from typing import Any

import pytest
from sqlalchemy import update

from db.models import ChatMessage, ChatSession, User
from tests.api import Api, error_codes
from tests.factories import Factory
from tests.resolvers.web_chats import Chat, web_chat

CHAT = """
query Chat($agentId: ID!, $sessionId: ID!) {
  agent(id: $agentId) {
    session(id: $sessionId) {
      activeRun {
        id sessionId status canCancel canResume errorCode traceId
        waiting { type reason correlationId }
        pendingToolReconciliations {
          executionId toolCallId toolName resultSummary errorCode canReconcile
        }
      }
      runs {
        pageInfo { hasNextPage endCursor }
        nodes { id status errorCode traceId canCancel canResume }
      }
    }
  }
}
"""

EVENTS = """
query Events($agentId: ID!, $sessionId: ID!, $first: Int!, $after: String) {
  agent(id: $agentId) {
    session(id: $sessionId) {
      runs(first: 1) {
        nodes {
          events(first: $first, after: $after) {
            pageInfo { hasNextPage endCursor }
            nodes {
              __typename id runId cursor
              ... on RunThinking { content }
              ... on RunProgress { content }
              ... on RunToolCall {
                name callId args status result thinking executionStatus toolErrorCode: errorCode
              }
              ... on RunLifecycle {
                event runStatus errorCode traceId waiting { type reason correlationId }
              }
              ... on RunDelivery { failed deliveryErrorCode: errorCode message { id content } }
            }
          }
        }
      }
    }
  }
}
"""


@pytest.fixture
async def chat(factory: Factory) -> Chat:
    return await web_chat(factory)


async def _session(api: Api, chat: Chat, user: User | None = None) -> dict[str, Any]:
    body = await api.query(CHAT, chat.variables(), user=user or chat.owner)
    assert "errors" not in body, body
    return body["data"]["agent"]["session"]


async def _events(api: Api, chat: Chat, first: int = 100, after: str | None = None) -> dict:
    body = await api.query(EVENTS, chat.variables(first=first, after=after), user=chat.owner)
    assert "errors" not in body, body
    return body["data"]["agent"]["session"]["runs"]["nodes"][0]["events"]


async def test_a_running_run_holds_the_lane_and_can_be_cancelled(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)

    session = await _session(api, chat)

    assert session["activeRun"] == {
        "id": str(run.id),
        "sessionId": str(chat.session.id),
        "status": "RUNNING",
        "canCancel": True,
        "canResume": False,
        "errorCode": None,
        "traceId": None,
        "waiting": None,
        "pendingToolReconciliations": [],
    }
    assert session["runs"]["nodes"][0]["canCancel"] is True


async def test_a_queued_run_does_not_hold_the_lane_and_is_not_active(api: Api, chat: Chat) -> None:
    await chat.factory.chat_run(chat.session, lane_held=False)

    session = await _session(api, chat)

    assert session["activeRun"] is None
    assert [run["status"] for run in session["runs"]["nodes"]] == ["QUEUED"]
    assert session["runs"]["nodes"][0]["canCancel"] is False


async def test_a_pending_cancel_command_ends_can_cancel(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)
    await chat.factory.command(run, "cancel", status="claimed")

    session = await _session(api, chat)

    assert session["activeRun"]["canCancel"] is False


async def test_status_follows_the_last_terminal_event(api: Api, chat: Chat) -> None:
    failed = await chat.factory.chat_run(chat.session, lane_held=False)
    await chat.factory.event(failed, "run_failed", {"status": "failed", "trace_id": "t-1"})
    done = await chat.factory.chat_run(chat.session, lane_held=False)
    await chat.factory.event(done, "run_completed", {"status": "completed"})
    cancelled = await chat.factory.chat_run(chat.session)
    await chat.factory.event(cancelled, "run_cancelled", {"status": "cancelled"})

    session = await _session(api, chat)

    runs = session["runs"]["nodes"]
    assert [(run["status"], run["errorCode"], run["traceId"]) for run in runs] == [
        ("CANCELLED", None, None),
        ("COMPLETED", None, None),
        ("FAILED", "runtime_failed", "t-1"),
    ]
    # Cancelled but still holding its lane: active, and nothing left to cancel.
    assert session["activeRun"]["status"] == "CANCELLED"
    assert session["activeRun"]["canCancel"] is False


async def test_a_run_waiting_on_the_user_lists_its_unknown_tool_calls(api: Api, chat: Chat) -> None:
    factory = chat.factory
    run = await factory.chat_run(chat.session)
    await factory.event(
        run,
        "waiting_started",
        {
            "status": "waiting_user",
            "waiting_type": "user",
            "correlation_id": "corr-1",
            "reason": "tool_reconciliation_required",
            "tool_call_id": "call-2",
        },
    )
    await factory.tool_execution(run, "write_file", "call-1", status="succeeded")
    await factory.tool_execution(
        run,
        "write_file",
        "call-2",
        effect="write",
        retry_policy="conditional",
        result_summary="The write may have happened.",
        result_metadata={"error_code": "tool_timeout"},
    )
    await factory.tool_execution(run, "send_email", "call-3", result_metadata={"error_code": 7})

    active = (await _session(api, chat))["activeRun"]

    assert active["status"] == "WAITING_USER"
    assert active["waiting"] == {
        "type": "user",
        "reason": "tool_reconciliation_required",
        "correlationId": "corr-1",
    }
    assert active["canResume"] is False  # a reconciliation is pending
    assert [
        (item["toolCallId"], item["toolName"], item["errorCode"], item["canReconcile"])
        for item in active["pendingToolReconciliations"]
    ] == [("call-2", "write_file", "tool_timeout", True), ("call-3", "send_email", None, False)]
    assert active["pendingToolReconciliations"][0]["resultSummary"] == (
        "The write may have happened."
    )


async def test_a_waiting_run_without_reconciliations_can_resume_until_resumed(
    api: Api, chat: Chat
) -> None:
    factory = chat.factory
    run = await factory.chat_run(chat.session)
    waiting = {"status": "waiting_user", "waiting_type": "user", "correlation_id": "c"}
    await factory.event(run, "waiting_started", waiting)

    assert (await _session(api, chat))["activeRun"]["canResume"] is True

    await factory.command(run, "resume")
    assert (await _session(api, chat))["activeRun"]["canResume"] is False

    await factory.event(run, "resumed", {"status": "running"})
    active = (await _session(api, chat))["activeRun"]
    assert (active["status"], active["waiting"], active["canResume"]) == ("RUNNING", None, False)


async def test_an_external_wait_is_not_waiting_on_the_user(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)
    await chat.factory.event(
        run, "waiting_started", {"status": "waiting_external", "waiting_type": "external"}
    )

    assert (await _session(api, chat))["activeRun"]["status"] == "RUNNING"


async def test_the_active_run_is_only_the_owners(api: Api, chat: Chat) -> None:
    """An admin who reads the session sees its runs, but no active run and no Stop."""
    admin = await chat.factory.user(chat.tenant, role="org_admin")
    await chat.factory.chat_run(chat.session)

    session = await _session(api, chat, admin)

    assert session["activeRun"] is None
    assert [(run["status"], run["canCancel"]) for run in session["runs"]["nodes"]] == [
        ("RUNNING", False)
    ]


@pytest.mark.parametrize(
    "mismatch",
    [
        {"runtime_thread_id": "another-thread"},
        {"scheduling_lane_key": "direct_chat_thread:elsewhere"},
        {"source_type": "trigger"},
        {"runtime_type": "legacy"},
    ],
)
async def test_a_lane_holder_that_is_not_the_chats_run_is_not_active(
    api: Api, chat: Chat, mismatch: dict[str, Any]
) -> None:
    await chat.factory.chat_run(chat.session, **mismatch)

    assert (await _session(api, chat))["activeRun"] is None


async def test_sessions_that_are_not_direct_web_chats_have_no_active_run(
    api: Api, chat: Chat
) -> None:
    chat.session = await chat.factory.session(
        chat.agent, chat.owner, messages=1, source_channel="feishu"
    )
    await chat.factory.chat_run(chat.session)

    assert (await _session(api, chat))["activeRun"] is None


async def test_two_lane_holders_are_a_conflict(api: Api, chat: Chat) -> None:
    """The platform's unique index on held lanes makes this impossible on its database;
    the server's own has no such index, and says CONFLICT as the platform's 409 does."""
    if chat.factory.database.engine.dialect.name == "postgresql":
        pytest.skip("uq_agent_runs_active_lane refuses a second lane holder")
    await chat.factory.chat_run(chat.session)
    await chat.factory.chat_run(chat.session)

    body = await api.query(CHAT, chat.variables(), user=chat.owner)

    assert error_codes(body) == ["CONFLICT"]
    assert body["data"]["agent"]["session"]["activeRun"] is None


async def test_events_are_typed_as_the_chat_shows_them(api: Api, chat: Chat) -> None:
    factory = chat.factory
    run = await factory.chat_run(chat.session)
    await factory.event(run, "status_changed", {"status": "running"})
    await factory.thinking(run, "  Let me look.  ")
    await factory.thinking(run, "   ")  # blank: skipped
    await factory.tool_call(run, "web_search", "call-1", args={"q": "x"})
    await factory.event(run, "evidence_added", {"status": "running"})  # skipped
    await factory.tool_call(
        run, "web_search", "call-1", args={"q": "x"}, result="3 hits", error_code=None
    )
    await factory.event(run, "status_changed", {"activity_type": "tool_call", "name": "x"})
    tool = {"activity_type": "tool_call", "name": "x", "call_id": "c", "status": "queued"}
    await factory.event(run, "status_changed", tool)  # a status the chat does not show
    await factory.progress(run, "Here is")
    reply = await factory.message(chat.session, "assistant", "Here is the answer.")
    await factory.event(run, "run_completed", {"status": "completed"})
    await factory.delivery(run, reply)
    await factory.delivery(run, None, failed=True)

    events = await _events(api, chat)

    nodes = events["nodes"]
    assert [node["__typename"] for node in nodes] == [
        "RunLifecycle",
        "RunLifecycle",
        "RunThinking",
        "RunToolCall",
        "RunToolCall",
        "RunProgress",
        "RunLifecycle",
        "RunDelivery",
        "RunDelivery",
    ]
    created, changed, thinking, running, done, progress, completed, delivered, failed = nodes
    assert (created["event"], created["runStatus"]) == ("CREATED", "QUEUED")
    assert (changed["event"], changed["runStatus"]) == ("STATUS_CHANGED", "RUNNING")
    assert thinking["content"] == "Let me look."
    assert (running["status"], running["result"], running["executionStatus"]) == (
        "RUNNING",
        "",
        None,
    )
    assert (done["status"], done["result"], done["executionStatus"], done["args"]) == (
        "DONE",
        "3 hits",
        "succeeded",
        {"q": "x"},
    )
    assert progress["content"] == "Here is"
    assert (completed["event"], completed["runStatus"]) == ("COMPLETED", "COMPLETED")
    assert delivered == delivered | {
        "failed": False,
        "deliveryErrorCode": None,
        "message": {"id": str(reply.id), "content": "Here is the answer."},
    }
    assert (failed["failed"], failed["deliveryErrorCode"], failed["message"]) == (
        True,
        "delivery_target_missing",
        None,
    )
    assert {node["runId"] for node in nodes} == {str(run.id)}
    assert events["pageInfo"]["hasNextPage"] is False


async def test_a_delivered_message_of_another_session_is_not_shown(api: Api, chat: Chat) -> None:
    other = await chat.factory.session(chat.agent, chat.owner, messages=1)
    elsewhere = await chat.factory.message(other, "assistant", "Not here.")
    run = await chat.factory.chat_run(chat.session)
    await chat.factory.delivery(run, elsewhere)

    events = await _events(api, chat)

    assert events["nodes"][-1]["message"] is None


async def test_a_delivered_failure_carries_its_failure_code(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)
    reply = await chat.factory.message(chat.session, "assistant", "Sorry.")
    await chat.factory.delivery_failure(run, reply)

    events = await _events(api, chat)

    assert events["nodes"][-1]["deliveryErrorCode"] == "model_timeout"


async def test_events_page_on_from_a_cursor_without_gap_or_repeat(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)
    for n in range(6):
        await chat.factory.thinking(run, f"thought {n}")

    seen: list[str] = []
    after = None
    while True:
        page = await _events(api, chat, first=3, after=after)
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert len(seen) == len(set(seen)) == 7


async def test_a_cursor_of_another_run_is_bad_input(api: Api, chat: Chat) -> None:
    other = await chat.factory.chat_run(chat.session, lane_held=False)
    first_page = await _events(api, chat)
    await chat.factory.chat_run(chat.session)  # now the newest: runs(first: 1) reads it

    body = await api.query(
        EVENTS, chat.variables(first=10, after=first_page["nodes"][0]["cursor"]), user=chat.owner
    )

    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert other.id


async def test_runs_page_newest_first(api: Api, chat: Chat) -> None:
    runs = [await chat.factory.chat_run(chat.session, lane_held=False) for _ in range(5)]
    query = """
    query Runs($agentId: ID!, $sessionId: ID!, $after: String) {
      agent(id: $agentId) { session(id: $sessionId) {
        runs(first: 2, after: $after) { pageInfo { hasNextPage endCursor } nodes { id } }
      } }
    }"""
    seen: list[str] = []
    after = None
    while True:
        body = await api.query(query, chat.variables(after=after), user=chat.owner)
        page = body["data"]["agent"]["session"]["runs"]
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == [str(run.id) for run in reversed(runs)]


@pytest.mark.parametrize("first", [0, 101])
async def test_a_runs_page_size_out_of_range_is_bad_input(api: Api, chat: Chat, first: int) -> None:
    query = """
    query Runs($agentId: ID!, $sessionId: ID!, $first: Int!) {
      agent(id: $agentId) { session(id: $sessionId) { runs(first: $first) { nodes { id } } } }
    }"""
    body = await api.query(query, chat.variables(first=first), user=chat.owner)

    assert error_codes(body) == ["BAD_USER_INPUT"]


async def test_another_tenants_runs_are_never_read(api: Api, chat: Chat) -> None:
    """A run row naming the session but another tenant's is not the session's run."""
    await chat.factory.chat_run(chat.session, lane_held=False)

    other = await chat.factory.tenant("Other")
    stranger = await chat.factory.user(other)
    body = await api.query(CHAT, chat.variables(), user=stranger)

    assert error_codes(body) == ["NOT_FOUND"]


AGENT_UNREAD = "query Unread($agentId: ID!) { agent(id: $agentId) { unreadCount } }"


async def test_agent_unread_count_sums_the_viewers_direct_sessions(api: Api, chat: Chat) -> None:
    factory = chat.factory
    await factory.message(chat.session, "assistant", "one")
    second = await factory.session(chat.agent, chat.owner)
    await factory.message(second, "assistant", "two")
    await factory.message(second, "tool_call", "{}")
    deleted = await factory.session(chat.agent, chat.owner)
    await factory.message(deleted, "assistant", "gone")

    async with factory.database.transaction() as db:
        await db.execute(
            update(ChatSession)
            .where(ChatSession.id == deleted.id)
            .values(deleted_at=factory.tick())
        )
    someone = await factory.user(chat.tenant)
    theirs = await factory.session(chat.agent, someone)
    await factory.message(theirs, "assistant", "not mine")

    body = await api.query(AGENT_UNREAD, {"agentId": str(chat.agent.id)}, user=chat.owner)

    assert body == {"data": {"agent": {"unreadCount": 3}}}


async def test_agent_unread_count_stops_at_100(api: Api, chat: Chat) -> None:
    rows = [
        ChatMessage(
            id=uuid.uuid4(),
            agent_id=chat.agent.id,
            role="assistant",
            content="hi",
            conversation_id=str(chat.session.id),
            created_at=chat.factory.tick(),
        )
        for _ in range(101)
    ]
    await chat.factory.add(*rows)

    body = await api.query(AGENT_UNREAD, {"agentId": str(chat.agent.id)}, user=chat.owner)

    assert body == {"data": {"agent": {"unreadCount": 100}}}


NODE = """
query Node($id: ID!) {
  node(id: $id) { __typename id ... on Run { sessionId status canCancel } }
}
"""


async def test_node_refetches_a_run_with_its_sessions_access(api: Api, chat: Chat) -> None:
    run = await chat.factory.chat_run(chat.session)
    member = await chat.factory.user(chat.tenant)
    stranger = await chat.factory.user(await chat.factory.tenant("Other"), role="platform_admin")

    mine = await api.query(NODE, {"id": str(run.id)}, user=chat.owner)
    theirs = await api.query(NODE, {"id": str(run.id)}, user=member)
    elsewhere = await api.query(NODE, {"id": str(run.id)}, user=stranger)

    assert mine == {
        "data": {
            "node": {
                "__typename": "Run",
                "id": str(run.id),
                "sessionId": str(chat.session.id),
                "status": "RUNNING",
                "canCancel": True,
            }
        }
    }
    assert error_codes(theirs) == ["FORBIDDEN"]
    assert error_codes(elsewhere) == ["NOT_FOUND"]
