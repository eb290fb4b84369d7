"""The shipped operations (`clients/operations/`), each as the one document a client sends:
the operation and every fragment it spreads, however deep."""

from functools import cache
from pathlib import Path

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    Node,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

OPERATIONS = Path(__file__).resolve().parent.parent / "clients" / "operations"


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
        self.names.add(node.name.value)


def _spread(node: Node) -> set[str]:
    spreads = _Spreads()
    visit(node, spreads)
    return spreads.names


@cache
def documents() -> dict[str, str]:
    """Each shipped operation's document, by operation name."""
    definitions = [
        definition
        for path in sorted(OPERATIONS.glob("*.graphql"))
        for definition in parse(path.read_text()).definitions
    ]
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    found = {}
    for operation in definitions:
        if not isinstance(operation, OperationDefinitionNode) or operation.name is None:
            continue
        needed, todo = set(), _spread(operation)
        while todo:
            name = todo.pop()
            needed.add(name)
            todo |= _spread(fragments[name]) - needed
        document = DocumentNode(definitions=(operation, *(fragments[n] for n in sorted(needed))))
        found[operation.name.value] = print_ast(document)
    return found
