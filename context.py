"""What one GraphQL request carries: its database, settings, loaders and viewer."""

import uuid
from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from auth.tokens import user_id_from_authorization
from db.engine import Database
from db.models import User
from errors import Unauthenticated
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

    @property
    def viewer_id(self) -> uuid.UUID | None:
        """The viewer's id once `viewer()` has let them in (every agent-scoped field has)."""
        return self._viewer_id

    async def viewer(self) -> User:
        """The authenticated, active user; Unauthenticated otherwise."""
        if self._viewer_id is None:
            header = self.request.headers.get("authorization")
            self._viewer_id = user_id_from_authorization(header, self.settings)
        user = await self.loaders.user_by_id.load(self._viewer_id)
        if user is None or not user.is_active:
            raise Unauthenticated("The token's user does not exist or is inactive.")
        return user


Info = strawberry.Info[Context, None]
