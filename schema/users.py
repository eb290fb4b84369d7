from enum import Enum

import strawberry

from db.users import AnyUser
from resolvers.naming import user_display_name
from schema.nodes import Node


@strawberry.enum(description="A user's role on the platform, from the most powerful down.")
class UserRole(Enum):
    PLATFORM_ADMIN = strawberry.enum_value(
        "platform_admin", description="Administers the whole platform."
    )
    ORG_ADMIN = strawberry.enum_value(
        "org_admin", description="Administers the user's tenant (organisation)."
    )
    AGENT_ADMIN = strawberry.enum_value(
        "agent_admin", description="Administers agents; sees every session of an agent it can use."
    )
    MEMBER = strawberry.enum_value("member", description="An ordinary member of the tenant.")


@strawberry.type(
    description=(
        "A person on the platform. Query.node returns the viewer and the users of the viewer's "
        "tenant; any other user is NOT_FOUND."
    )
)
class User(Node):
    id: strawberry.ID = strawberry.field(description="The user's id (a UUID).")
    display_name: str = strawberry.field(
        description=(
            "The user's display name, falling back to the identity's username, then 'Unknown'."
        )
    )
    username: str | None = strawberry.field(
        description="The username of the user's identity (the login name); null when it has none."
    )
    avatar_url: str | None = strawberry.field(
        description="Address of the user's picture; null when none is set."
    )
    role: UserRole = strawberry.field(description="The user's role on the platform.")

    @classmethod
    def from_model(cls, user: AnyUser) -> "User":
        return cls(
            id=strawberry.ID(str(user.id)),
            display_name=user_display_name(user),
            username=user.username,
            avatar_url=user.avatar_url,
            role=UserRole(user.role),
        )
