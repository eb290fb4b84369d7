"""Per-request dataloaders: each request gets fresh ones, so no cache outlives it."""

from dataclasses import dataclass

from db.engine import Database
from loaders.agents import AgentByIdLoader
from loaders.messages import MessageCountByConversationLoader
from loaders.participants import ParticipantByIdLoader
from loaders.users import UserByIdLoader


@dataclass(frozen=True)
class Loaders:
    agent_by_id: AgentByIdLoader
    message_count_by_conversation: MessageCountByConversationLoader
    participant_by_id: ParticipantByIdLoader
    user_by_id: UserByIdLoader

    @classmethod
    def for_request(cls, database: Database) -> "Loaders":
        return cls(
            agent_by_id=AgentByIdLoader(database),
            message_count_by_conversation=MessageCountByConversationLoader(database),
            participant_by_id=ParticipantByIdLoader(database),
            user_by_id=UserByIdLoader(database),
        )


__all__ = [
    "AgentByIdLoader",
    "Loaders",
    "MessageCountByConversationLoader",
    "ParticipantByIdLoader",
    "UserByIdLoader",
]
