from db.agents import agents_by_ids
from db.models import Agent
from loaders.base import RowByIdLoader


class AgentByIdLoader(RowByIdLoader[Agent]):
    fetch = staticmethod(agents_by_ids)
