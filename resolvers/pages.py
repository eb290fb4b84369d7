"""Page sizes as the contract bounds them."""

from errors import BadUserInput


def check_page_size(name: str, value: int, maximum: int) -> int:
    if not 1 <= value <= maximum:
        raise BadUserInput(f"'{name}' must be between 1 and {maximum}; got {value}.")
    return value
