from db.models import Participant
from db.participants import participants_by_ids
from loaders.base import RowByIdLoader


class ParticipantByIdLoader(RowByIdLoader[Participant]):
    fetch = staticmethod(participants_by_ids)
