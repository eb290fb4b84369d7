from typing import Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import CountPrecision
from .fragments import SessionListItem


class SessionList(BaseModel):
    agent: Optional["SessionListAgent"]


class SessionListAgent(BaseModel):
    id: str
    name: str
    viewer_can_see_all_sessions: bool = Field(alias="viewerCanSeeAllSessions")
    sessions: "SessionListAgentSessions"


class SessionListAgentSessions(BaseModel):
    count: "SessionListAgentSessionsCount"
    page_info: "SessionListAgentSessionsPageInfo" = Field(alias="pageInfo")
    nodes: list["SessionListAgentSessionsNodes"]


class SessionListAgentSessionsCount(BaseModel):
    count: int
    precision: CountPrecision


class SessionListAgentSessionsPageInfo(BaseModel):
    has_next_page: bool = Field(alias="hasNextPage")
    end_cursor: Optional[str] = Field(alias="endCursor")


SessionListAgentSessionsNodes = SessionListItem
SessionList.model_rebuild()
SessionListAgent.model_rebuild()
SessionListAgentSessions.model_rebuild()
