"""The names a chat list shows for users, agents and sessions."""

from db.models import Agent, User


def user_display_name(user: User | None) -> str:
    if user is None:
        return "Unknown"
    return user.display_name or user.username or "Unknown"


def agent_name(agent: Agent | None) -> str:
    return agent.name if agent is not None else "Agent"


def group_display_name(group_name: str | None, title: str | None) -> str:
    return group_name or title or "Group Chat"
