"""Which fields a query selects below the field being resolved.

List resolvers load in one batch, before the rows resolve, what the rows' fields will
ask their loaders for; this tells them which fields those are. It reads the document's
own selections (graphql-core's resolve info, behind Strawberry's `Info`) rather than
`Info.selected_fields`, which converts every selection below the field, arguments and
all, into objects: that cost more than the rest of a message page's resolvers.
"""

from collections.abc import Iterable, Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from context import Info


def _fields(
    selection_sets: Iterable[SelectionSetNode], fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    for selection_set in selection_sets:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from _fields([selection.selection_set], fragments)
            elif isinstance(selection, FragmentSpreadNode):
                # a fragment's fields count wherever it is spread
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    yield from _fields([fragment.selection_set], fragments)


def selected(info: Info, *path: str) -> set[str]:
    """The names of the fields selected at `path` below the current field (whatever their
    @skip or @include: a superset is what a batch load needs)."""
    raw = info._raw_info
    level = [node.selection_set for node in raw.field_nodes if node.selection_set]
    for name in path:
        level = [
            child.selection_set
            for child in _fields(level, raw.fragments)
            if child.name.value == name and child.selection_set
        ]
    return {child.name.value for child in _fields(level, raw.fragments)}
