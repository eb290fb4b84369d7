"""Page sizes and count limits as the contract bounds them."""

from errors import BadUserInput


def check_page_size(name: str, value: int, maximum: int) -> int:
    if not 1 <= value <= maximum:
        raise BadUserInput(f"'{name}' must be between 1 and {maximum}; got {value}.")
    return value


MAX_COUNT_LIMIT = 10_000
"""The largest `limit` of a connection's `count`: it reads at most that many rows, plus one."""


def check_count_limit(limit: int) -> int:
    return check_page_size("limit", limit, MAX_COUNT_LIMIT)
