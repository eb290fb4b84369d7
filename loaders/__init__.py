"""Per-request dataloaders: each request gets fresh ones, so no cache outlives it."""

from dataclasses import dataclass

from db.engine import Database
from loaders.agents import AgentByIdLoader
from loaders.messages import MessageCountByConversationLoader
from loaders.participants import ParticipantByIdLoader
from loaders.run_events import RuntimeFailureByMessageLoader
from loaders.sessions import UnreadCountBySessionLoader
from loaders.users import UserByIdLoader


@dataclass(frozen=True)
class Loaders:
    agent_by_id: AgentByIdLoader
    message_count_by_conversation: MessageCountByConversationLoader
    participant_by_id: ParticipantByIdLoader
    runtime_failure_by_message: RuntimeFailureByMessageLoader
    unread_count_by_session: UnreadCountBySessionLoader
    user_by_id: UserByIdLoader

    @classmethod
    def for_request(cls, database: Database) -> "Loaders":
        database = database.one_read_at_a_time()  # one connection at a time per request
        return cls(
            agent_by_id=AgentByIdLoader(database),
            message_count_by_conversation=MessageCountByConversationLoader(database),
            participant_by_id=ParticipantByIdLoader(database),
            runtime_failure_by_message=RuntimeFailureByMessageLoader(database),
            unread_count_by_session=UnreadCountBySessionLoader(database),
            user_by_id=UserByIdLoader(database),
        )


__all__ = [
    "AgentByIdLoader",
    "Loaders",
    "MessageCountByConversationLoader",
    "ParticipantByIdLoader",
    "RuntimeFailureByMessageLoader",
    "UnreadCountBySessionLoader",
    "UserByIdLoader",
]
