from typing import Annotated

import strawberry

from context import Info
from resolvers import mutations
from resolvers.cancel_run import resolve_cancel_run
from schema.errors import ForbiddenError, NotFoundError, ValidationError
from schema.runs import Run
from schema.sessions import DeletedSession, Session

CreateSessionResult = Annotated[
    Session | NotFoundError | ForbiddenError | ValidationError,
    strawberry.union(
        "CreateSessionResult", description="The new session, or why none was created."
    ),
]
RenameSessionResult = Annotated[
    Session | NotFoundError | ForbiddenError | ValidationError,
    strawberry.union("RenameSessionResult", description="The renamed session, or why it was not."),
]
DeleteSessionResult = Annotated[
    DeletedSession | NotFoundError | ForbiddenError,
    strawberry.union(
        "DeleteSessionResult", description="The deleted session's id, or why it was not."
    ),
]
MarkSessionReadResult = Annotated[
    Session | NotFoundError | ForbiddenError,
    strawberry.union(
        "MarkSessionReadResult", description="The session, now read, or why it was not."
    ),
]
CancelRunResult = Annotated[
    Run | NotFoundError | ForbiddenError | ValidationError,
    strawberry.union("CancelRunResult", description="The run, asked to stop, or why it was not."),
]

SessionId = Annotated[strawberry.ID, strawberry.argument(description="The session's id.")]


@strawberry.type(
    description=(
        "Changes to sessions. A failure the user can cause (an unknown or hidden session, a "
        "missing permission, a bad title) is a member of the result union, never an error."
    )
)
class Mutation:
    @strawberry.mutation(description="Start a new web session with an agent for the viewer.")
    async def create_session(
        self,
        info: Info,
        agent_id: Annotated[
            strawberry.ID, strawberry.argument(description="The agent to talk with.")
        ],
        title: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "The title, trimmed: at most 200 characters, with a visible character "
                    "and no control characters or bidirectional overrides or isolates "
                    "(else a ValidationError); empty or null becomes 'Session MM-DD HH:MM' "
                    "(UTC now)."
                )
            ),
        ] = None,
        idempotency_key: Annotated[
            str | None,
            strawberry.argument(
                description=(
                    "A key the client makes once per session it means to create (a UUID), "
                    "1 to 200 characters, and sends again with every retry of that call: "
                    "a call with a key this user already used within 24 hours creates "
                    "nothing and returns the session the first call made (as it is now; "
                    "NotFoundError once deleted). Also when both calls run at once. A key "
                    "argument, not Relay's clientMutationId: that one is only echoed back "
                    "in the payload and promises no deduplication, while this one is "
                    "exactly the HTTP Idempotency-Key's contract, and the mutation takes "
                    "plain arguments, not an input object."
                )
            ),
        ] = None,
    ) -> CreateSessionResult:
        return await mutations.resolve_create_session(info, agent_id, title, idempotency_key)

    @strawberry.mutation(
        description=(
            "Rename a session: its owner, or a viewer who may see all sessions of its agent."
        )
    )
    async def rename_session(
        self,
        info: Info,
        id: SessionId,
        title: Annotated[
            str,
            strawberry.argument(
                description=(
                    "The new title, trimmed: 1 to 200 characters, the same rules as "
                    "createSession's title."
                )
            ),
        ],
    ) -> RenameSessionResult:
        return await mutations.resolve_rename_session(info, id, title)

    @strawberry.mutation(
        description=(
            "Delete one of the agent's active direct sessions, the platform's way: a soft "
            "delete (the session is hidden from every list and read, its messages are kept); "
            "when it was the owner's primary session, the owner's most recently active "
            "remaining direct session becomes primary; the session's runs get cancel "
            "commands. Same permission as rename."
        )
    )
    async def delete_session(self, info: Info, id: SessionId) -> DeleteSessionResult:
        return await mutations.resolve_delete_session(info, id)

    @strawberry.mutation(
        description=(
            "Mark the viewer's own direct session as read now: its unreadCount becomes 0 "
            "until the agent writes again. Only the session's owner may mark it."
        )
    )
    async def mark_session_read(self, info: Info, id: SessionId) -> MarkSessionReadResult:
        return await mutations.resolve_mark_session_read(info, id)

    @strawberry.mutation(
        description=(
            "Ask the agent to stop: one cancel command for the run, as the platform's web chat "
            "enqueues it. Only the owner of the run's active direct web session, while the run "
            "holds the session's lane; calling it again changes nothing."
        )
    )
    async def cancel_run(
        self,
        info: Info,
        run_id: Annotated[strawberry.ID, strawberry.argument(description="The run to stop.")],
    ) -> CancelRunResult:
        return await resolve_cancel_run(info, run_id)
