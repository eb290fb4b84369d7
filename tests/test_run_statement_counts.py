"""A chat page's runs cost a fixed number of statements, whatever the number of sessions,
runs and events (tests/test_statement_counts.py's method: exact counts, on both databases,
of a request in steady state)."""

import pytest

from db.engine import Database
from tests.api import Api
from tests.factories import Factory
from tests.test_statement_counts import _statements

SESSIONS_WITH_RUNS = """
query SessionsWithRuns($agentId: ID!) {
  agent(id: $agentId) {
    unreadCount
    sessions(first: 200) {
      nodes {
        id
        activeRun {
          id status canCancel canResume waiting { type correlationId }
          pendingToolReconciliations { executionId canReconcile }
        }
        runs(first: 100) {
          nodes {
            id status errorCode
            events(first: 500) {
              pageInfo { endCursor }
              nodes {
                __typename cursor
                ... on RunThinking { content }
                ... on RunToolCall { name status }
                ... on RunLifecycle { runStatus }
                ... on RunDelivery { message { id content } }
              }
            }
          }
        }
      }
    }
  }
}
"""

# The viewer with the agent; the unread count; the list; the lane holders; the runs
# pages; the active runs' state, open commands and unknown tool receipts; the listed
# runs' state (a batch of its own: the listed runs resolve a step after the active ones)
# and events; the delivered messages.
RUN_STATEMENTS = 11


async def _sessions_with_runs(factory: Factory, sessions: int, runs: int, events: int):
    tenant = await factory.tenant()
    owner = await factory.user(tenant)
    agent = await factory.agent(owner)
    for _ in range(sessions):
        session = await factory.session(agent, owner, messages=1)
        for n in range(runs):
            run = await factory.chat_run(session, lane_held=n == runs - 1)
            for m in range(events):
                await factory.thinking(run, f"thought {m}")
            await factory.tool_call(run, "search", f"call-{n}")
            if n < runs - 1:
                reply = await factory.message(session, "assistant", "Done.")
                await factory.event(run, "run_completed", {"status": "completed"})
                await factory.delivery(run, reply)
            else:
                await factory.event(
                    run, "waiting_started", {"waiting_type": "user", "correlation_id": "c"}
                )
                await factory.tool_execution(run, "write_file", f"call-{n}")
    return owner, agent


@pytest.mark.parametrize(
    ("sessions", "runs", "events"),
    [pytest.param(1, 2, 1, id="1-session"), pytest.param(6, 3, 4, id="6-sessions")],
)
async def test_sessions_with_runs_and_events_cost_the_same_whatever_their_number(
    api: Api, database: Database, factory: Factory, sessions: int, runs: int, events: int
) -> None:
    owner, agent = await _sessions_with_runs(factory, sessions, runs, events)

    body, log = await _statements(
        api, database, SESSIONS_WITH_RUNS, {"agentId": str(agent.id)}, owner
    )

    nodes = body["data"]["agent"]["sessions"]["nodes"]
    assert len(nodes) == sessions
    for node in nodes:
        assert node["activeRun"]["status"] == "WAITING_USER"
        assert len(node["activeRun"]["pendingToolReconciliations"]) == 1
        assert len(node["runs"]["nodes"]) == runs
        finished = node["runs"]["nodes"][1:]
        assert all(run["status"] == "COMPLETED" for run in finished)
        for run in finished:
            assert run["events"]["nodes"][-1]["message"]["content"] == "Done."
    assert len(log) == RUN_STATEMENTS, f"{len(log)} statements:\n{log}"
