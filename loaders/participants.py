from db.participants import ParticipantRow, participants_by_ids
from loaders.base import RowByIdLoader


class ParticipantByIdLoader(RowByIdLoader[ParticipantRow]):
    fetch = staticmethod(participants_by_ids)
    plain_rows = True
