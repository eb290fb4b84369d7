"""Depth, alias and introspection limits that measure each fragment once.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter walk a fragment again at every
spread, so fragments that each spread the next a few times over
(`fragment F0 on Query { ...F1 ...F1 ...F1 }` and so on) make a 1 KB document cost them
billions of steps, on the event loop. These rules give the same answers (depth leaves out
introspection fields, as there) in time linear in the document.
"""

from collections.abc import Callable, Iterator, Mapping
from functools import cache

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, SchemaExtension

from auth.tokens import user_id_from_authorization
from errors import Unauthenticated
from settings import Settings


class _Measure:
    """One measure of selection sets, each fragment's value computed once and reused."""

    def __init__(
        self,
        fragments: Mapping[str, FragmentDefinitionNode],
        of_field: Callable[[FieldNode, int], int],
        combine: Callable[[list[int]], int],
    ) -> None:
        self.fragments = fragments
        self.of_field = of_field
        self.combine = combine
        self.memo: dict[str, int] = {}

    def __call__(self, node: SelectionSetNode | None) -> int:
        if node is None:
            return 0
        values = []
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                values.append(self.of_field(selection, self(selection.selection_set)))
            elif isinstance(selection, InlineFragmentNode):
                values.append(self(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                values.append(self.fragment(selection.name.value))
        return self.combine(values)

    def fragment(self, name: str) -> int:
        if name not in self.memo:
            self.memo[name] = 0  # a cycle (validation refuses those) adds nothing
            fragment = self.fragments.get(name)
            if fragment is not None:
                self.memo[name] = self(fragment.selection_set)
        return self.memo[name]


def _field_depth(field: FieldNode, below: int) -> int:
    if field.name.value.startswith("__") or field.selection_set is None:
        return 0
    return 1 + below


def _field_aliases(field: FieldNode, below: int) -> int:
    return (1 if field.alias else 0) + below


def fragment_definitions(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }


def _parts(
    context: ValidationContext,
) -> tuple[list[OperationDefinitionNode], dict[str, FragmentDefinitionNode]]:
    definitions = context.document.definitions
    operations = [node for node in definitions if isinstance(node, OperationDefinitionNode)]
    return operations, fragment_definitions(context.document)


# The rule classes are made once per limit: Strawberry's ValidationCache keys validation
# results on the rule classes too, and a class made per request would never hit it.
@cache
def _depth_rule(max_depth: int) -> type[ValidationRule]:
    class DepthRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            operations, fragments = _parts(context)
            depth = _Measure(fragments, _field_depth, lambda values: max(values, default=0))
            for operation in operations:
                if depth(operation.selection_set) > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    context.report_error(
                        GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}",
                            operation,
                        )
                    )

    return DepthRule


@cache
def _alias_rule(max_aliases: int) -> type[ValidationRule]:
    class AliasRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            operations, fragments = _parts(context)
            aliases = _Measure(fragments, _field_aliases, sum)
            total = sum(aliases(operation.selection_set) for operation in operations)
            if total > max_aliases:
                context.report_error(GraphQLError(f"{total} aliases found. Allowed: {max_aliases}"))

    return AliasRule


class QueryDepthLimit(AddValidationRules):
    def __init__(self, *, max_depth: int) -> None:
        super().__init__([_depth_rule(max_depth)])


class AliasLimit(AddValidationRules):
    def __init__(self, *, max_aliases: int) -> None:
        super().__init__([_alias_rule(max_aliases)])


INTROSPECTION_ROOTS = ("__schema", "__type")


def _field_introspections(field: FieldNode, below: int) -> int:
    return (1 if field.name.value in INTROSPECTION_ROOTS else 0) + below


def introspections(document: DocumentNode) -> int:
    """How many `__schema` and `__type` fields the document's operations select, fragments
    counted wherever they are spread."""
    operations = [
        node for node in document.definitions if isinstance(node, OperationDefinitionNode)
    ]
    count = _Measure(fragment_definitions(document), _field_introspections, sum)
    return sum(count(operation.selection_set) for operation in operations)


class _IntrospectionRule(ValidationRule):
    """One `__schema` or `__type` per document: the whole schema is some 40 KB of JSON, so
    aliased copies of it turned a 2 KB request into a megabyte, outside the cost limit."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        found = introspections(context.document)
        if found > 1:
            context.report_error(
                GraphQLError(
                    f"{found} introspection fields (__schema, __type) found. Allowed: 1 "
                    "per document."
                )
            )


class IntrospectionLimit(AddValidationRules):
    def __init__(self) -> None:
        super().__init__([_IntrospectionRule])


class IntrospectionNeedsToken(SchemaExtension):
    """With INTROSPECTION_REQUIRES_TOKEN, introspection needs a valid bearer token."""

    def __init__(self, *, settings: Settings) -> None:
        self.settings = settings

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and introspections(document):
            request = getattr(context.context, "request", None)
            header = request.headers.get("authorization") if request is not None else None
            try:
                user_id_from_authorization(header, self.settings)
            except Unauthenticated as error:
                # A result set here makes Strawberry skip execution, as in `schema.cost`.
                context.result = ExecutionResult(
                    data=None,
                    errors=[GraphQLError(error.message, extensions=error.extensions)],
                )
        yield
