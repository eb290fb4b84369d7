"""A document holding several operations runs only the one the request names.

The GraphQL spec ("GetOperation") makes a missing operationName a request error when
the document has more than one operation. Strawberry runs the first one instead, so a
client could be made to run an operation it did not pick. This restores the spec.
"""

from collections.abc import Iterator
from typing import Any

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode, ValidationRule
from strawberry.extensions import SchemaExtension


class SingleOperationRule(ValidationRule):
    def enter_document(self, node: DocumentNode, *_: Any) -> None:
        operations = [
            item for item in node.definitions if isinstance(item, OperationDefinitionNode)
        ]
        if len(operations) > 1:
            self.report_error(
                GraphQLError(
                    "Must provide operation name if query contains multiple operations.",
                    operations,
                )
            )


class NamedOperationChoice(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        # Strawberry keeps the name the request gave private; its public `operation_name`
        # falls back to the first operation's.
        if context._provided_operation_name is None:
            context.validation_rules = (*context.validation_rules, SingleOperationRule)
        yield
