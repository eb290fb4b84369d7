from enum import Enum

import strawberry

from db import models
from resolvers.naming import user_display_name


@strawberry.enum
class UserRole(Enum):
    PLATFORM_ADMIN = "platform_admin"
    ORG_ADMIN = "org_admin"
    AGENT_ADMIN = "agent_admin"
    MEMBER = "member"


@strawberry.type
class User:
    id: strawberry.ID
    display_name: str = strawberry.field(
        description=(
            "The user's display name, falling back to the identity's username, then 'Unknown'."
        )
    )
    username: str | None
    avatar_url: str | None
    role: UserRole

    @classmethod
    def from_model(cls, user: models.User) -> "User":
        return cls(
            id=strawberry.ID(str(user.id)),
            display_name=user_display_name(user),
            username=user.username,
            avatar_url=user.avatar_url,
            role=UserRole(user.role),
        )
