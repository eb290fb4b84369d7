"""Which fields a query selects below the field being resolved.

List resolvers load in one batch, before the rows resolve, what the rows' fields will
ask their loaders for; this tells them which fields those are.
"""

from collections.abc import Iterable, Iterator

from strawberry.types.nodes import SelectedField, Selection

from context import Info


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:  # a fragment: its fields count wherever it is spread
            yield from _fields(selection.selections)


def selected(info: Info, *path: str) -> set[str]:
    """The names of the fields selected at `path` below the current field."""
    level: list[SelectedField] = list(info.selected_fields)
    for name in path:
        level = [
            child for field in level for child in _fields(field.selections) if child.name == name
        ]
    return {child.name for field in level for child in _fields(field.selections)}
