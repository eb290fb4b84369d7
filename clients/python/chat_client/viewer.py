from pydantic import Field

from .base_model import BaseModel
from .enums import UserRole


class Viewer(BaseModel):
    viewer: "ViewerViewer"


class ViewerViewer(BaseModel):
    id: str
    display_name: str = Field(alias="displayName")
    role: UserRole


Viewer.model_rebuild()
