"""The cost limit: refuse a query that would return too much, before it reads anything.

The rule. A field costs 1, plus the cost of its selection times its page size. The page
size of `Agent.sessions` is its `first` (default 50), that of `Session.messages` its
`first` or `last` (default 100), each clamped to the range the contract allows (a value
outside it is refused by the field anyway, with a clearer message); that of `Query.nodes`
the number of its ids (at most 100); every other field has size 1. A count adds what it
may read: `count(limit)` its limit plus one row, `totalCount` (which reads the whole
list) as much as the largest bounded count, 10,001 rows. Fragments count
wherever they are spread, and every member of a union or interface selection counts. So
the cost is an upper bound on the number of values the response can hold:

    sessions(first: 200) { nodes { messages(first: 500) { nodes { id } } } }
    = 1 + 200 * (1 + 1 * (1 + 500 * (1 + 1 * 1)))  = 200,401

The check runs after validation and before execution, with the request's variables, and
answers a BAD_USER_INPUT error carrying `cost` (at most 2^53 - 1) and `maxCost` in its
extensions.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_operation_ast,
)
from strawberry.extensions import SchemaExtension

from errors import BadUserInput
from execution.document_cache import DocumentCache
from resolvers import messages, nodes, sessions
from resolvers.pages import MAX_COUNT_LIMIT
from schema.limits import fragment_definitions


@dataclass(frozen=True)
class PageSize:
    arguments: tuple[str, ...]
    default: int
    maximum: int


PAGE_SIZES = {
    ("Agent", "sessions"): PageSize(("first",), 50, sessions.MAX_PAGE),
    ("Session", "messages"): PageSize(("first", "last"), messages.DEFAULT_PAGE, messages.MAX_PAGE),
}
# Counts: what they may read, in rows, beyond their own 1.
BOUNDED_COUNTS = {("SessionConnection", "count"), ("MessageConnection", "count")}
EXACT_COUNTS = {("SessionConnection", "totalCount"), ("MessageConnection", "totalCount")}
DEFAULT_COUNT_LIMIT = 1000
# Fields whose size is the length of a list argument.
LIST_SIZES = {("Query", "nodes"): PageSize(("ids",), 1, nodes.MAX_IDS)}
# The largest integer every JSON client reads exactly; fragment bombs cost far more.
MAX_REPORTED_COST = 2**53 - 1
META_TYPES = {"__schema": "__Schema", "__type": "__Type"}
FIELDED = GraphQLObjectType | GraphQLInterfaceType


class _Costing:
    def __init__(
        self,
        schema: GraphQLSchema,
        operation: OperationDefinitionNode,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = {
            definition.variable.name.value: definition.default_value
            for definition in operation.variable_definitions or ()
        }
        # Each fragment is costed once, however often it is spread: linear in the document.
        self.fragment_costs: dict[str, int] = {}

    def selection_set(self, parent: GraphQLNamedType | None, node: SelectionSetNode | None) -> int:
        if node is None:
            return 0
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        if name not in self.fragment_costs:
            self.fragment_costs[name] = 0  # a cycle (validation refuses those) adds nothing
            fragment = self.fragments.get(name)
            if fragment is not None:
                target = self.schema.get_type(fragment.type_condition.name.value)
                self.fragment_costs[name] = self.selection_set(target, fragment.selection_set)
        return self.fragment_costs[name]

    def field(self, parent: GraphQLNamedType | None, node: FieldNode) -> int:
        name = node.name.value
        if name in META_TYPES:
            target = self.schema.get_type(META_TYPES[name])
        else:
            fields = parent.fields if isinstance(parent, FIELDED) else {}
            target = get_named_type(fields[name].type) if name in fields else None
        key = (parent.name, name) if parent is not None else None
        selection = self.selection_set(target, node.selection_set)
        if key in PAGE_SIZES:
            # A connection's counts are read once for it, not once per item of its page.
            counts = self.counts(target, node.selection_set)
            size = self.page_size(PAGE_SIZES[key], node)
            return 1 + counts + size * (selection - counts)
        size = self.list_size(LIST_SIZES[key], node) if key in LIST_SIZES else 1
        return 1 + self.rows_counted(key, node) + size * selection

    def counts(self, parent: GraphQLNamedType | None, node: SelectionSetNode | None) -> int:
        """The cost of the counts selected on `parent`, through fragments too."""
        if node is None or parent is None:
            return 0
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                if (parent.name, selection.name.value) in BOUNDED_COUNTS | EXACT_COUNTS:
                    total += self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                total += self.counts(parent, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None and fragment.type_condition.name.value == parent.name:
                    total += self.counts(parent, fragment.selection_set)
        return total

    def rows_counted(self, key: tuple[str, str] | None, node: FieldNode) -> int:
        if key in EXACT_COUNTS:
            return MAX_COUNT_LIMIT + 1
        if key in BOUNDED_COUNTS:
            count = PageSize(("limit",), DEFAULT_COUNT_LIMIT, MAX_COUNT_LIMIT)
            return self.page_size(count, node) + 1
        return 0

    def page_size(self, page: PageSize, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in page.arguments:
                value = self.int_value(argument.value)
                if value is not None:
                    return min(max(value, 1), page.maximum)
        return page.default

    def list_size(self, page: PageSize, node: FieldNode) -> int:
        for argument in node.arguments or ():
            if argument.name.value in page.arguments:
                value: Any = argument.value
                if isinstance(value, VariableNode):
                    given = self.variables.get(value.name.value)
                    value = self.defaults.get(value.name.value) if given is None else given
                if isinstance(value, ListValueNode):
                    value = value.values
                if isinstance(value, list | tuple):
                    return min(max(len(value), 1), page.maximum)
        return page.default

    def int_value(self, node: Any) -> int | None:
        if isinstance(node, VariableNode):
            value = self.variables.get(node.name.value)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            node = self.defaults.get(node.name.value)
        return int(node.value) if isinstance(node, IntValueNode) else None


def query_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any],
) -> int:
    costing = _Costing(schema, operation, fragments, variables)
    cost = costing.selection_set(schema.get_root_type(operation.operation), operation.selection_set)
    return min(cost, MAX_REPORTED_COST)


_COSTS: DocumentCache[int] = DocumentCache()


def known_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
) -> int:
    """`query_cost`, worked out once per document and variables: a client sends the same few."""
    try:
        values = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return query_cost(schema, operation, fragment_definitions(document), variables)
    known = _COSTS.get((schema, document, operation), values)
    if known is None:
        cost = query_cost(schema, operation, fragment_definitions(document), variables)
        known = _COSTS.put((schema, document, operation), cost, values)
    return known


class CostLimit(SchemaExtension):
    def __init__(self, *, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        if document is not None and operation is not None:
            variables = context.variables if isinstance(context.variables, Mapping) else {}
            cost = known_cost(context.schema._schema, document, operation, variables)
            if cost > self.max_cost:
                # A result set here makes Strawberry skip execution: nothing reaches the database.
                context.result = ExecutionResult(
                    data=None,
                    errors=[
                        GraphQLError(
                            f"The query costs {cost}, more than the limit of {self.max_cost}: "
                            "ask for fewer sessions or messages per page, or fewer fields.",
                            nodes=[operation],
                            extensions={
                                "code": BadUserInput.code,
                                "cost": cost,
                                "maxCost": self.max_cost,
                            },
                        )
                    ],
                )
        yield
