"""The names a chat list shows for a user, by the platform's rule."""

import uuid
from datetime import UTC, datetime

import pytest

from db.users import UserRow
from resolvers.naming import user_display_name


def _user(display_name: str | None, username: str | None) -> UserRow:
    # A null display name cannot be stored (the column is NOT NULL on the platform and
    # here), so the rule's null branch is checked on a row as `db.users` returns it.
    return UserRow(
        uuid.uuid4(), None, None, display_name, None, "member", True, datetime.now(UTC), username
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("display_name", "username", "expected"),
    [
        pytest.param("Dana", "dana-42", "Dana", id="display-name"),
        pytest.param(None, "dana-42", "dana-42", id="null-display-name-username"),
        pytest.param("", "dana-42", "Unknown", id="empty-display-name"),
        pytest.param(None, "", "Unknown", id="null-display-name-empty-username"),
        pytest.param(None, None, "Unknown", id="neither"),
    ],
)
def test_coalesce_display_name_username_then_unknown(
    display_name: str | None, username: str | None, expected: str
) -> None:
    """coalesce(display_name, username), then 'Unknown' when that is empty or null."""
    assert user_display_name(_user(display_name, username)) == expected


def test_no_user_is_unknown() -> None:
    assert user_display_name(None) == "Unknown"
