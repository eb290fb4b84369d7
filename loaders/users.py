from db.users import UserRow, users_by_ids
from loaders.base import RowByIdLoader


class UserByIdLoader(RowByIdLoader[UserRow]):
    fetch = staticmethod(users_by_ids)
    plain_rows = True
