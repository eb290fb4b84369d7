from typing import Annotated

import strawberry

from context import Info
from resolvers import mutations
from schema.errors import ForbiddenError, NotFoundError, ValidationError
from schema.sessions import DeletedSession, Session

CreateSessionResult = Annotated[
    Session | NotFoundError | ForbiddenError | ValidationError,
    strawberry.union("CreateSessionResult"),
]
RenameSessionResult = Annotated[
    Session | NotFoundError | ForbiddenError | ValidationError,
    strawberry.union("RenameSessionResult"),
]
DeleteSessionResult = Annotated[
    DeletedSession | NotFoundError | ForbiddenError, strawberry.union("DeleteSessionResult")
]


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Start a new web session with an agent for the viewer.")
    async def create_session(
        self, info: Info, agent_id: strawberry.ID, title: str | None = None
    ) -> CreateSessionResult:
        return await mutations.resolve_create_session(info, agent_id, title)

    @strawberry.mutation(
        description=(
            "Rename a session: its owner, or a viewer who may see all sessions of its agent."
        )
    )
    async def rename_session(
        self, info: Info, id: strawberry.ID, title: str
    ) -> RenameSessionResult:
        return await mutations.resolve_rename_session(info, id, title)

    @strawberry.mutation(
        description="Delete a session and all of its messages: same permission as rename."
    )
    async def delete_session(self, info: Info, id: strawberry.ID) -> DeleteSessionResult:
        return await mutations.resolve_delete_session(info, id)
