from db.models import User
from db.users import users_by_ids
from loaders.base import RowByIdLoader


class UserByIdLoader(RowByIdLoader[User]):
    fetch = staticmethod(users_by_ids)
