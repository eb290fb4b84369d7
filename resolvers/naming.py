"""The names a chat list shows for users, agents and sessions."""

from db.agents import AnyAgent
from db.users import AnyUser


def user_display_name(user: AnyUser | None) -> str:
    if user is None:
        return "Unknown"
    return user.display_name or user.username or "Unknown"


def agent_name(agent: AnyAgent | None) -> str:
    return agent.name if agent is not None else "Agent"


def group_display_name(group_name: str | None, title: str | None) -> str:
    return group_name or title or "Group Chat"
