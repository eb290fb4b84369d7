import strawberry

from context import Info
from resolvers.agents import resolve_agent
from schema.agents import Agent
from schema.users import User


@strawberry.type
class Query:
    @strawberry.field(
        description="The authenticated user. UNAUTHENTICATED error without a valid bearer token."
    )
    async def viewer(self, info: Info) -> User:
        return User.from_model(await info.context.viewer())

    @strawberry.field(
        description=(
            "An agent the viewer may use or manage. Null with a NOT_FOUND error when the agent "
            "does not exist or belongs to another tenant; null with a FORBIDDEN error when it "
            "exists in the viewer's tenant but the viewer has no access."
        )
    )
    async def agent(self, info: Info, id: strawberry.ID) -> Agent | None:
        return await resolve_agent(info, id)
