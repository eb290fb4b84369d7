"""Per-request dataloaders: each request gets fresh ones, so no cache outlives it."""

from functools import cached_property

from db.engine import Database
from loaders.agents import AgentByIdLoader
from loaders.messages import (
    MessageCountByConversationLoader,
    MessageCountUpToLoader,
    MessagePageLoader,
)
from loaders.participants import ParticipantByIdLoader
from loaders.run_events import RuntimeFailureByMessageLoader
from loaders.runs import (
    EventsByRunLoader,
    LaneHoldersLoader,
    MessageByIdLoader,
    OpenCommandsLoader,
    RunsBySessionLoader,
    RunStateLoader,
    UnknownExecutionsLoader,
)
from loaders.sessions import UnreadCountBySessionLoader
from loaders.users import UserByIdLoader


class Loaders:
    """One request's loaders, each made the first time the request asks for it (most
    requests use one or two of them)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @classmethod
    def for_request(cls, database: Database) -> "Loaders":
        return cls(database.one_read_at_a_time())  # one connection at a time per request

    @cached_property
    def agent_by_id(self) -> AgentByIdLoader:
        return AgentByIdLoader(self.database)

    @cached_property
    def message_count_by_conversation(self) -> MessageCountByConversationLoader:
        return MessageCountByConversationLoader(self.database)

    @cached_property
    def message_count_up_to(self) -> MessageCountUpToLoader:
        return MessageCountUpToLoader(self.database)

    @cached_property
    def message_page(self) -> MessagePageLoader:
        return MessagePageLoader(self.database)

    @cached_property
    def participant_by_id(self) -> ParticipantByIdLoader:
        return ParticipantByIdLoader(self.database)

    @cached_property
    def runtime_failure_by_message(self) -> RuntimeFailureByMessageLoader:
        return RuntimeFailureByMessageLoader(self.database)

    @cached_property
    def unread_count_by_session(self) -> UnreadCountBySessionLoader:
        return UnreadCountBySessionLoader(self.database)

    @cached_property
    def user_by_id(self) -> UserByIdLoader:
        return UserByIdLoader(self.database)

    @cached_property
    def runs_by_session(self) -> RunsBySessionLoader:
        return RunsBySessionLoader(self.database)

    @cached_property
    def lane_holders(self) -> LaneHoldersLoader:
        return LaneHoldersLoader(self.database)

    @cached_property
    def run_state(self) -> RunStateLoader:
        return RunStateLoader(self.database)

    @cached_property
    def open_commands(self) -> OpenCommandsLoader:
        return OpenCommandsLoader(self.database)

    @cached_property
    def unknown_executions(self) -> UnknownExecutionsLoader:
        return UnknownExecutionsLoader(self.database)

    @cached_property
    def events_by_run(self) -> EventsByRunLoader:
        return EventsByRunLoader(self.database)

    @cached_property
    def message_by_id(self) -> MessageByIdLoader:
        return MessageByIdLoader(self.database)


__all__ = [
    "AgentByIdLoader",
    "Loaders",
    "MessageCountByConversationLoader",
    "MessageCountUpToLoader",
    "MessagePageLoader",
    "ParticipantByIdLoader",
    "RuntimeFailureByMessageLoader",
    "UnreadCountBySessionLoader",
    "UserByIdLoader",
]
