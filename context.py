"""What one GraphQL request carries: its database, settings, loaders and viewer."""

import dataclasses
import uuid
from dataclasses import dataclass, field
from typing import Self

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from auth.access import check_active
from auth.tokens import user_id_from_authorization
from db.agents import AgentRow, viewer_with_agent
from db.engine import Database
from db.users import UserRow
from loaders import Loaders
from settings import Settings


@dataclass
class Context:
    request: Request
    response: Response
    database: Database
    settings: Settings
    loaders: Loaders
    request_id: str
    _viewer_id: uuid.UUID | None = field(default=None, init=False)
    read_connection_lost: bool = field(default=False, init=False)
    """Set when a query's connection died: the view runs it once more (schema/read_retry.py)."""

    @property
    def viewer_id(self) -> uuid.UUID | None:
        """The viewer's id once `viewer()` has let them in (every agent-scoped field has)."""
        return self._viewer_id

    def fresh(self) -> Self:
        """The same request's context with empty loaders and no viewer yet: for running
        a query a second time (execution/compare.py)."""
        return dataclasses.replace(self, loaders=Loaders.for_request(self.database))

    @property
    def authorization(self) -> str | None:
        return self.request.headers.get("authorization")

    def _token_user_id(self) -> uuid.UUID:
        if self._viewer_id is None:
            self._viewer_id = user_id_from_authorization(self.authorization, self.settings)
        return self._viewer_id

    async def viewer(self) -> UserRow:
        """The authenticated, active user; Unauthenticated otherwise."""
        return check_active(await self.loaders.user_by_id.load(self._token_user_id()))

    async def viewer_and_agent(
        self, agent_id: uuid.UUID
    ) -> tuple[UserRow, AgentRow | None, list[str]]:
        """`viewer()`, the agent and the levels of the viewer's own permission rows on it,
        read in one statement (an agent-scoped field's first read); no agent when none has
        that id. What the viewer may do with the agent is for `auth.access` to say.
        """
        async with self.database.connection() as db:
            found = await viewer_with_agent(db, self._token_user_id(), agent_id)
        user, agent, grants = found if found is not None else (None, None, [])
        viewer = check_active(user)
        self.loaders.user_by_id.prime(viewer.id, viewer)
        if agent is not None:
            self.loaders.agent_by_id.prime(agent.id, agent)
        return viewer, agent, grants


Info = strawberry.Info[Context, None]
