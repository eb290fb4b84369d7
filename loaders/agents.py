from db.agents import AgentRow, agents_by_ids
from loaders.base import RowByIdLoader


class AgentByIdLoader(RowByIdLoader[AgentRow]):
    fetch = staticmethod(agents_by_ids)
    plain_rows = True
