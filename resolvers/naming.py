"""The names a chat list shows for users, agents and sessions."""

from db.agents import AnyAgent
from db.users import AnyUser


def user_display_name(user: AnyUser | None) -> str:
    """The platform's `coalesce(display_name, username)`, then 'Unknown' when that is empty.

    Only a null display name falls back to the username: an empty one reads 'Unknown'.
    """
    if user is None:
        return "Unknown"
    name = user.display_name if user.display_name is not None else user.username
    return name or "Unknown"


def agent_name(agent: AnyAgent | None) -> str:
    return agent.name if agent is not None else "Agent"


def group_display_name(group_name: str | None, title: str | None) -> str:
    return group_name or title or "Group Chat"
