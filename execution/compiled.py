"""A faster executor for queries: graphql-core's results, with the planning done once.

graphql-core's executor decides everything again for every field of every row: it looks
the field up, builds an Info, collects the sub-selection and dispatches on the return
type. On a list of 200 sessions that is most of a request's CPU. This executor plans each
operation once (per set of @skip/@include values) into a tree of `FieldPlan`s, each with
its resolver and a completer built for its type, and then only runs the plan:

- a field with no resolver of its own whose value is a leaf is read as an attribute, with
  no Info and no response path (one is built only for an error);
- a resolver that takes nothing but `self` and `info` is called directly, past
  Strawberry's argument conversion (it has no arguments to convert).

Everything else follows graphql-core's `Executor` step for step (graphql/execution/
executor.py): the same resolvers, errors and messages, null propagation to the nearest
nullable field, and the same batching: every field of a selection and every item of a
list is started before any is awaited, so dataloaders see the same batches. Cases it
does not plan for (mutations and subscriptions, middleware, an abort signal, async
iterables) go to graphql-core's own methods. The test suite runs every query through
both executors and compares the results (`execution/compare.py`).
"""

from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    OperationType,
    Undefined,
    VariableNode,
    Visitor,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    visit,
)
from graphql.execution import ExecutionResult
from graphql.execution.collect_fields import (
    FieldDetailsList,
    GroupedFieldSet,
    collect_fields,
    collect_subfields,
)
from graphql.execution.executor import invalid_return_type_error
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, gather_with_cancel, inspect, is_iterable
from graphql.type.introspection import TypeNameMetaFieldDef
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from execution.document_cache import DocumentCache

Completer = Callable[["CompiledExecutor", GraphQLResolveInfo, Path, Any], Any]
"""Completes a resolved value for its type, as graphql-core's `complete_value` does."""

STRAWBERRY_FIELD = "strawberry-definition"  # Strawberry's back reference on a GraphQLField
PLAN_CACHE_SIZE = 1024


class ObjectPlan:
    """The fields to run for one selection on one object type, in response order."""

    __slots__ = ("fields", "object_type")

    def __init__(
        self, executor: "CompiledExecutor", object_type: GraphQLObjectType, grouped: GroupedFieldSet
    ) -> None:
        schema = executor.schema
        self.object_type = object_type
        self.fields = [
            FieldPlan(schema, object_type, key, details)
            for key, details in grouped.items()
            if schema.get_field(object_type, details[0].node.name.value) is not None
        ]


class FieldPlan:
    """One response key of a selection: how to resolve it and how to complete its value."""

    __slots__ = (
        "attribute",
        "complete",
        "complete_leaf",
        "definition",
        "details",
        "direct",
        "has_arguments",
        "key",
        "leaf_call",
        "name",
        "nodes",
        "parent_type",
        "passthrough",
        "resolve",
        "return_type",
        "strawberry_field",
        "sub_plans",
        "typename",
    )

    def __init__(
        self,
        schema: GraphQLSchema,
        parent_type: GraphQLObjectType,
        key: str,
        details: FieldDetailsList,
    ) -> None:
        node = details[0].node
        self.key = key
        self.name = node.name.value
        self.parent_type = parent_type
        self.details = details
        self.nodes = [detail.node for detail in details]
        definition = schema.get_field(parent_type, self.name)
        assert definition is not None
        self.definition = definition
        self.return_type = definition.type
        self.resolve = definition.resolve
        self.has_arguments = bool(definition.args or node.arguments)
        self.sub_plans: dict[GraphQLObjectType, ObjectPlan] = {}
        self.typename = parent_type.name if definition is TypeNameMetaFieldDef else None
        strawberry_field = (definition.extensions or {}).get(STRAWBERRY_FIELD)
        self.strawberry_field = strawberry_field
        self.attribute = _plain_attribute(strawberry_field, definition.resolve)
        self.direct = _direct_call(strawberry_field, self.has_arguments)
        self.complete = _completer(self, self.return_type)
        leaf = is_leaf_type(_nullable(self.return_type))
        self.complete_leaf = _leaf_completer(self, self.return_type) if leaf else None
        # A leaf read as an attribute (complete_leaf and attribute set) or from a resolver
        # called directly (leaf_call) needs no resolve info up front: see execute_plan.
        self.leaf_call = self.direct if leaf and self.attribute is None else None
        self.passthrough = _passthrough(_nullable(self.return_type)) if leaf else frozenset()

    def null_error(self) -> TypeError:
        return TypeError(
            f"Cannot return null for non-nullable field {self.parent_type}.{self.name}."
        )

    def object_plan(
        self, executor: "CompiledExecutor", object_type: GraphQLObjectType
    ) -> ObjectPlan:
        """The plan of this field's selection on `object_type`, made the first time it is met."""
        plan = self.sub_plans.get(object_type)
        if plan is None:
            grouped = collect_subfields(
                executor.schema,
                executor.fragments,
                executor.variable_values,
                executor.operation,
                object_type,
                self.details,
                executor.hide_suggestions,
            ).grouped_field_set
            plan = ObjectPlan(executor, object_type, grouped)
            self.sub_plans[object_type] = plan
        return plan


class CompiledExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's graphql-core executor, with queries run from a plan made once per document."""

    # The plans of the operations run lately, shared by every request of the process: a
    # plan holds no request's data.
    _plans: "DocumentCache[_OperationPlans]" = DocumentCache(PLAN_CACHE_SIZE)

    def execute_operation(self, serially: bool | None = None) -> Any:
        root = self._root_plan()
        if root is None:
            return super().execute_operation(serially)
        try:
            data = self.execute_plan(root, self.root_value, None)
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.finish(self.build_response(None))
        if self.is_awaitable(data):
            return self._await_response(data)
        return self.finish(self.build_response(data))

    async def _await_response(self, data: Awaitable[dict[str, Any]]) -> ExecutionResult:
        try:
            awaited = await data
        except GraphQLError as error:
            self.collected_errors.add(error, None)
            return self.build_response(None)  # type: ignore[return-value]
        except Exception:
            await self.cancel_incremental_work()
            self.run_async_work_finished_hook()
            raise
        return self.build_response(awaited)  # type: ignore[return-value]

    def _root_plan(self) -> ObjectPlan | None:
        """The plan of this operation, or None where graphql-core's own path runs it."""
        operation = self.operation
        if (
            operation.operation is not OperationType.QUERY
            or self.abort_signal is not None
            or self.hooks is not None
            or self.enable_early_execution
            or not self.error_propagation
            or (self.middleware_manager is not None and self.middleware_manager.middlewares)
        ):
            return None
        root_type = self.schema.query_type
        if root_type is None:
            return None
        plans = self._operation_plans(operation)
        values = self.variable_values.coerced
        key = tuple(values.get(name, Undefined) for name in plans.condition_variables)
        root = plans.by_conditions.get(key)
        if root is None:
            try:
                collected = collect_fields(
                    self.schema,
                    self.fragments,
                    self.variable_values,
                    root_type,
                    operation,
                    self.hide_suggestions,
                )
            except (GraphQLError, RecursionError):
                return None  # graphql-core's path reports it, as it always has
            grouped = collected.grouped_field_set
            if any(
                detail.defer_usage or detail.fragment_variable_values
                for details in grouped.values()
                for detail in details
            ):
                return None
            root = ObjectPlan(self, root_type, grouped)
            plans.by_conditions[key] = root
        return root

    def _operation_plans(self, operation: OperationDefinitionNode) -> "_OperationPlans":
        plans = self._plans.get((self.schema, operation))
        if plans is None:
            plans = _OperationPlans(operation, self.fragment_definitions)
            self._plans.put((self.schema, operation), plans)
        return plans

    def execute_plan(
        self, plan: ObjectPlan, source: Any, path: Path | None
    ) -> dict[str, Any] | Awaitable[dict[str, Any]]:
        """graphql-core's `execute_fields`, over a plan."""
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for field in plan.fields:
                complete_leaf = field.complete_leaf
                if complete_leaf is not None and (field.attribute or field.leaf_call):
                    try:
                        if field.leaf_call is not None:
                            value = field.leaf_call(source, PlannedInfo(self, field, path))
                        else:
                            value = getattr(source, field.attribute)  # type: ignore[arg-type]
                        if type(value) in field.passthrough:
                            results[field.key] = value
                            continue
                        if not is_awaitable(value):
                            results[field.key] = complete_leaf(value)
                            continue
                    except Exception as raw_error:
                        self.handle_field_error(
                            raw_error,
                            field.return_type,
                            field.details,
                            Path(path, field.key, field.parent_type.name),
                        )
                        results[field.key] = None
                        continue
                    field_path = Path(path, field.key, field.parent_type.name)
                    info = self.resolve_info(field, field_path)
                    result = self._complete_awaitable(field, info, field_path, value)
                elif field.typename is not None:
                    results[field.key] = field.typename
                    continue
                else:
                    result = self.execute_planned_field(field, source, path)
                results[field.key] = result
                if is_awaitable(result):
                    awaitable_fields.append(field.key)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[key] for key in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _gather_fields(results, awaitable_fields)

    def execute_planned_field(self, field: FieldPlan, source: Any, parent: Path | None) -> Any:
        """graphql-core's `execute_field`, over a plan."""
        path = Path(parent, field.key, field.parent_type.name)
        info = self.resolve_info(field, path)
        try:
            if field.attribute is not None:
                result = getattr(source, field.attribute)
            elif field.direct is not None:
                result = field.direct(source, Info(_raw_info=info, _field=field.strawberry_field))
            else:
                result = self._resolve(field, source, info)
            if self.is_awaitable(result):
                return self._complete_awaitable(field, info, path, result)
            completed = field.complete(self, info, path, result)
            if self.is_awaitable(completed):
                return self._await_completed(field.return_type, field, path, completed)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            return None
        return completed

    def resolve_info(self, field: FieldPlan, path: Path) -> GraphQLResolveInfo:
        return self.build_resolve_info(field.definition, field.nodes, field.parent_type, path)

    def _resolve(self, field: FieldPlan, source: Any, info: GraphQLResolveInfo) -> Any:
        resolve = field.resolve or self.field_resolver
        if not field.has_arguments:
            return resolve(source, info)
        detail = field.details[0]
        arguments = get_argument_values(
            field.definition,
            detail.node,
            self.variable_values,
            detail.fragment_variable_values,
            self.hide_suggestions,
        )
        return resolve(source, info, **arguments)

    async def _complete_awaitable(
        self, field: FieldPlan, info: GraphQLResolveInfo, path: Path, result: Awaitable[Any]
    ) -> Any:
        try:
            completed = field.complete(self, info, path, await result)
            if self.is_awaitable(completed):
                completed = await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.return_type, field.details, path)
            completed = None
        return completed

    async def _await_completed(
        self,
        return_type: GraphQLOutputType,
        field: FieldPlan,
        path: Path,
        completed: Awaitable[Any],
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field.details, path)
            return None

    def complete_planned_list(
        self,
        field: FieldPlan,
        item_type: GraphQLOutputType,
        complete_item: Completer,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
    ) -> Any:
        """graphql-core's `complete_iterable_value` (no @stream), over a plan."""
        is_awaitable = self.is_awaitable
        completed_results: list[Any] = []
        append = completed_results.append
        awaitable_indices: list[int] = []
        index = 0
        iterator = iter(result)
        try:
            for item in iterator:
                item_path = Path(path, index, None)
                if is_awaitable(item):
                    append(
                        self.complete_awaitable_list_item_value(
                            item, item_type, field.details, info, item_path, None
                        )
                    )
                    awaitable_indices.append(index)
                else:
                    try:
                        completed = complete_item(self, info, item_path, item)
                        if is_awaitable(completed):
                            append(self._await_completed(item_type, field, item_path, completed))
                            awaitable_indices.append(index)
                        else:
                            append(completed)
                    except Exception as raw_error:
                        self.handle_field_error(raw_error, item_type, field.details, item_path)
                        append(None)
                index += 1
        except Exception:
            pending = [completed_results[i] for i in awaitable_indices]
            pending.extend(item for item in iterator if is_awaitable(item))
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed_results
        return _gather_items(completed_results, awaitable_indices)


async def _gather_fields(results: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    if len(keys) == 1:
        results[keys[0]] = await results[keys[0]]
    else:
        awaited = await gather_with_cancel(*(results[key] for key in keys))
        results.update(zip(keys, awaited, strict=True))
    return results


async def _gather_items(results: list[Any], indices: list[int]) -> list[Any]:
    if len(indices) == 1:
        results[indices[0]] = await results[indices[0]]
    else:
        awaited = await gather_with_cancel(*(results[index] for index in indices))
        for index, value in zip(indices, awaited, strict=True):
            results[index] = value
    return results


class _OperationPlans:
    """An operation's plans, one per combination of its @skip/@include variables."""

    def __init__(
        self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
    ) -> None:
        self.operation = operation
        self.condition_variables = _condition_variables(operation, fragments)
        self.by_conditions: dict[tuple[Any, ...], ObjectPlan] = {}


class _ConditionVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_directive(self, node: Any, *_: Any) -> None:
        if node.name.value in ("skip", "include"):
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    self.names.add(argument.value.name.value)


def _condition_variables(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The variables that decide a @skip or @include: a plan holds for one set of them."""
    visitor = _ConditionVariables()
    visit(operation, visitor)
    for fragment in fragments.values():
        visit(fragment, visitor)
    return tuple(sorted(visitor.names))


def _plain_attribute(field: StrawberryField | None, resolve: Any) -> str | None:
    """The attribute a field reads, for a Strawberry field with no resolver of its own."""
    if field is None or not getattr(resolve, "_is_default", False):
        return None
    if field.base_resolver is not None or field.default_resolver is not getattr:
        return None
    return field.python_name


def _direct_call(field: StrawberryField | None, has_arguments: bool) -> Callable | None:
    """A call of the field's resolver as Strawberry makes it, when it takes no arguments,
    only `self` and `info` (its root and parent too), and no field extension wraps it."""
    if field is None or has_arguments or field.extensions or field.base_resolver is None:
        return None
    resolver = field.base_resolver
    if resolver.arguments or not callable(resolver.wrapped_func):
        return None
    function = resolver.wrapped_func
    takes_self = resolver.self_parameter is not None
    source_names = [
        parameter.name
        for parameter in (resolver.parent_parameter, resolver.root_parameter)
        if parameter is not None
    ]
    info_name = resolver.info_parameter.name if resolver.info_parameter is not None else None

    def call(source: Any, info: Info) -> Any:
        kwargs = dict.fromkeys(source_names, source)
        if info_name is not None:
            kwargs[info_name] = info
        return function(source, **kwargs) if takes_self else function(**kwargs)

    return call


class PlannedInfo(Info):
    """Strawberry's Info for a leaf resolver called from a plan. Most such resolvers read
    only the context: graphql-core's resolve info, and with it the field's response path,
    is built the first time anything else is read."""

    def __init__(self, executor: CompiledExecutor, field: FieldPlan, parent: Path | None) -> None:
        self._executor = executor
        self._plan = field
        self._parent = parent
        self._field = field.strawberry_field  # type: ignore[assignment]
        self._built: GraphQLResolveInfo | None = None

    @property
    def context(self) -> Any:
        return self._executor.context_value

    @property  # type: ignore[override]
    def _raw_info(self) -> GraphQLResolveInfo:
        if self._built is None:
            field = self._plan
            path = Path(self._parent, field.key, field.parent_type.name)
            self._built = self._executor.resolve_info(field, path)
        return self._built


def _passthrough(leaf: GraphQLOutputType) -> frozenset[type]:
    """The value types a leaf type answers unchanged (graphql-core's coercion returns them
    as they are), so that completing them costs nothing."""
    if leaf is GraphQLString or leaf is GraphQLID:
        return frozenset({str})
    if leaf is GraphQLBoolean:
        return frozenset({bool})
    return frozenset()


def _nullable(type_: GraphQLOutputType) -> GraphQLOutputType:
    return type_.of_type if is_non_null_type(type_) else type_  # type: ignore[attr-defined]


def _leaf_completer(field: FieldPlan, type_: GraphQLOutputType) -> Callable[[Any], Any]:
    """Completes a leaf value that is not awaitable, in one call."""
    non_null = is_non_null_type(type_)
    leaf: GraphQLLeafType = _nullable(type_)  # type: ignore[assignment]
    coerce = leaf.coerce_output_value
    if isinstance(leaf, GraphQLEnumType):
        coerce = _remembered(coerce)
    ints = leaf is GraphQLInt

    def complete(result: Any) -> Any:
        if ints and type(result) is int and GRAPHQL_MIN_INT <= result <= GRAPHQL_MAX_INT:
            return result  # as graphql-core's serialize_int answers it
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            if non_null:
                raise field.null_error()
            return None
        return _coerced(leaf, coerce, result)

    return complete


def _remembered(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An enum's coercion, remembered per value: Strawberry's looks through every value."""
    known: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return known[value]
        except (KeyError, TypeError):
            coerced = coerce(value)
            with suppress(TypeError):  # an unhashable value is coerced every time
                known[value] = coerced
            return coerced

    return remembered


def _coerced(leaf: GraphQLLeafType, coerce: Callable[[Any], Any], result: Any) -> Any:
    coerced = coerce(result)
    if coerced is Undefined or coerced is None:
        # graphql-core's message (Executor.complete_leaf_value), word for word
        raise TypeError(
            f"Expected `{inspect(leaf)}.coerce_output_value({inspect(result)})` to return"
            f" non-nullable value, returned: {inspect(coerced)}"
        )
    return coerced


def _completer(field: FieldPlan, type_: GraphQLOutputType) -> Completer:
    """graphql-core's `complete_value` for one field's type, decided once."""
    if is_leaf_type(_nullable(type_)):
        complete_leaf = _leaf_completer(field, type_)

        def complete_leaf_value(
            executor: CompiledExecutor, info: GraphQLResolveInfo, path: Path, result: Any
        ) -> Any:
            return complete_leaf(result)

        return complete_leaf_value
    if is_non_null_type(type_):
        inner = _completer(field, type_.of_type)  # type: ignore[attr-defined]

        def complete_non_null(
            executor: CompiledExecutor, info: GraphQLResolveInfo, path: Path, result: Any
        ) -> Any:
            completed = inner(executor, info, path, result)
            if completed is None:
                raise field.null_error()
            return completed

        return complete_non_null
    if is_list_type(type_):
        return _unless_null(_list_completer(field, type_))
    if is_abstract_type(type_):
        return _unless_null(_abstract_completer(field, type_))  # type: ignore[arg-type]
    return _unless_null(_object_completer(field, type_))  # type: ignore[arg-type]


def _unless_null(complete: Completer) -> Completer:
    """graphql-core's first steps for a nullable type: an exception is raised, a null is
    null; only a value goes on to `complete`."""

    def complete_value(
        executor: CompiledExecutor, info: GraphQLResolveInfo, path: Path, result: Any
    ) -> Any:
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            return None
        return complete(executor, info, path, result)

    return complete_value


def _list_completer(field: FieldPlan, list_type: Any) -> Completer:
    item_type = list_type.of_type
    complete_item = _completer(field, item_type)

    def complete_list(
        executor: CompiledExecutor, info: GraphQLResolveInfo, path: Path, result: Any
    ) -> Any:
        if executor.is_async_iterable(result) or not is_iterable(result):
            # graphql-core's own path: async iterables, and its error for a non-list
            return executor.complete_list_value(list_type, field.details, info, path, result, None)
        return executor.complete_planned_list(field, item_type, complete_item, info, path, result)

    return complete_list


def _object_completer(field: FieldPlan, object_type: GraphQLObjectType) -> Completer:
    def complete_object(
        executor: CompiledExecutor, info: GraphQLResolveInfo, path: Path, result: Any
    ) -> Any:
        return _complete_object(executor, field, object_type, info, path, result)

    return complete_object


def _complete_object(
    executor: CompiledExecutor,
    field: FieldPlan,
    object_type: GraphQLObjectType,
    info: GraphQLResolveInfo,
    path: Path,
    result: Any,
) -> Any:
    """graphql-core's `complete_object_value`, over a plan."""
    is_type_of = object_type.is_type_of
    if is_type_of is not None:
        matches = is_type_of(result, info)
        if executor.is_awaitable(matches):
            return _complete_object_later(executor, field, object_type, path, result, matches)
        if not matches:
            raise invalid_return_type_error(object_type, result, field.details)
    return executor.execute_plan(field.object_plan(executor, object_type), result, path)


async def _complete_object_later(
    executor: CompiledExecutor,
    field: FieldPlan,
    object_type: GraphQLObjectType,
    path: Path,
    result: Any,
    matches: Awaitable[bool],
) -> Any:
    if not await matches:
        raise invalid_return_type_error(object_type, result, field.details)
    fields = executor.execute_plan(field.object_plan(executor, object_type), result, path)
    return await fields if executor.is_awaitable(fields) else fields


def _abstract_completer(field: FieldPlan, abstract_type: GraphQLAbstractType) -> Completer:
    def complete_abstract(
        executor: CompiledExecutor, info: GraphQLResolveInfo, path: Path, result: Any
    ) -> Any:
        resolve_type = abstract_type.resolve_type or executor.type_resolver
        runtime_type = resolve_type(result, info, abstract_type)
        if executor.is_awaitable(runtime_type):
            return _complete_abstract_later(
                executor, field, abstract_type, info, path, result, runtime_type
            )
        object_type = executor.ensure_valid_runtime_type(
            runtime_type, abstract_type, field.details, info, result
        )
        return _complete_object(executor, field, object_type, info, path, result)

    return complete_abstract


async def _complete_abstract_later(
    executor: CompiledExecutor,
    field: FieldPlan,
    abstract_type: GraphQLAbstractType,
    info: GraphQLResolveInfo,
    path: Path,
    result: Any,
    runtime_type: Awaitable[Any],
) -> Any:
    object_type = executor.ensure_valid_runtime_type(
        await runtime_type, abstract_type, field.details, info, result
    )
    value = _complete_object(executor, field, object_type, info, path, result)
    return await value if executor.is_awaitable(value) else value
