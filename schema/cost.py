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

Arguments are read as the executor will read them: variables coerced by graphql-core's own
rules (so `200.0` is the Int 200), then each field's arguments with their defaults. The
check runs after validation and before execution, with the request's variables, and
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
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
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
COUNT_LIMIT = PageSize(("limit",), 1000, MAX_COUNT_LIMIT)
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
        self.variables = coerced_variables(schema, operation, variables)
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
        definition = None
        if name in META_TYPES:
            target = self.schema.get_type(META_TYPES[name])
        else:
            fields = parent.fields if isinstance(parent, FIELDED) else {}
            definition = fields.get(name)
            target = get_named_type(definition.type) if definition is not None else None
        key = (parent.name, name) if parent is not None else None
        selection = self.selection_set(target, node.selection_set)
        sized = key in PAGE_SIZES or key in LIST_SIZES or key in BOUNDED_COUNTS
        arguments = self.arguments(definition, node) if definition is not None and sized else {}
        if key in PAGE_SIZES:
            # A connection's counts are read once for it, not once per item of its page.
            counts = self.counts(target, node.selection_set)
            size = page_size(PAGE_SIZES[key], arguments)
            return 1 + counts + size * (selection - counts)
        size = list_size(LIST_SIZES[key], arguments) if key in LIST_SIZES else 1
        return 1 + rows_counted(key, arguments) + size * selection

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

    def arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The field's arguments as the executor coerces them, defaults included."""
        try:
            return get_argument_values(definition, node, self.variables)
        except GraphQLError:  # the field itself refuses them, before it reads anything
            return {}


def coerced_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Mapping[str, Any]
) -> VariableValues:
    """Each variable as the executor coerces it; one it would refuse is left out (its field
    then counts its default: the executor refuses the whole operation anyway)."""
    coerced = VariableValues({}, {})
    for definition in operation.variable_definitions or ():
        value = get_variable_values(schema, [definition], dict(variables))
        if isinstance(value, VariableValues):
            coerced.sources.update(value.sources)
            coerced.coerced.update(value.coerced)
    return coerced


def page_size(page: PageSize, arguments: Mapping[str, Any]) -> int:
    sizes = [arguments.get(name) for name in page.arguments]
    given = [size for size in sizes if isinstance(size, int) and not isinstance(size, bool)]
    return min(max(max(given), 1), page.maximum) if given else page.default


def rows_counted(key: tuple[str, str] | None, arguments: Mapping[str, Any]) -> int:
    if key in EXACT_COUNTS:
        return MAX_COUNT_LIMIT + 1
    if key in BOUNDED_COUNTS:
        return page_size(COUNT_LIMIT, arguments) + 1
    return 0


def list_size(page: PageSize, arguments: Mapping[str, Any]) -> int:
    for name in page.arguments:
        value = arguments.get(name)
        if isinstance(value, list | tuple):
            return min(max(len(value), 1), page.maximum)
    return page.default


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
