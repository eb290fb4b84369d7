"""The compiled executor answers every document as graphql-core's executor does.

The suite's own requests are compared on the server's schema (execution/compare.py);
they rarely meet a null in a non-null field or a resolver that fails. This schema is
built to: each document runs on both executors, whose data (key order included) and
errors (message, path, locations, the exception behind them) must be equal.
"""

import asyncio
from collections.abc import AsyncIterator
from enum import Enum
from typing import Annotated, Any

import orjson
import pytest
import strawberry
from strawberry.extensions import ParserCache
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionResult

from execution.compiled import CompiledExecutor


class Boom(Exception):
    pass


@strawberry.enum
class Mood(Enum):
    CALM = "calm"
    ANGRY = "angry"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Cat(Named):
    lives: int
    mood: Mood | None = None


@strawberry.type
class Dog(Named):
    good: bool


@strawberry.type
class Item:
    id: strawberry.ID
    label: str | None
    required: str
    count: int = 0

    @strawberry.field
    def doubled(self) -> int:
        return self.count * 2

    @strawberry.field
    async def later(self) -> str | None:
        await asyncio.sleep(0)
        return self.label

    @strawberry.field
    async def later_required(self) -> str:
        await asyncio.sleep(0)
        return self.label  # type: ignore[return-value]

    @strawberry.field
    def fails(self) -> str | None:
        raise Boom(f"fails on {self.id}")

    @strawberry.field
    def fails_required(self) -> str:
        raise Boom(f"required fails on {self.id}")

    @strawberry.field
    async def fails_later(self) -> str | None:
        await asyncio.sleep(0)
        raise Boom(f"later fails on {self.id}")

    @strawberry.field
    def child(self, info: strawberry.Info) -> "Item | None":
        if self.count <= 0:
            return None
        return Item(
            id=strawberry.ID(f"{self.id}.c"), label=None, required="r", count=self.count - 1
        )

    @strawberry.field
    def path(self, info: strawberry.Info) -> str:
        return ".".join(str(key) for key in info.path.as_list())


@strawberry.type
class Strict:
    name: str

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return isinstance(obj, cls)


def _items(count: int) -> list[Item]:
    return [
        Item(
            id=strawberry.ID(str(n)), label=f"item {n}" if n % 2 else None, required="yes", count=n
        )
        for n in range(count)
    ]


Pet = Annotated[Cat | Dog, strawberry.union("Pet")]


async def _numbers() -> AsyncIterator[int]:
    for number in (1, 2, 3):
        yield number


@strawberry.type
class Query:
    @strawberry.field
    def items(self, count: int = 3) -> list[Item]:
        return _items(count)

    @strawberry.field
    def items_with_a_null_required(self) -> list[Item | None]:
        return [
            Item(id=strawberry.ID("a"), label="a", required="yes"),
            Item(id=strawberry.ID("b"), label="b", required=None),  # type: ignore[arg-type]
        ]

    @strawberry.field
    def strict_items(self) -> list[Item]:
        return [
            Item(id=strawberry.ID("a"), label="a", required="yes"),
            Item(id=strawberry.ID("b"), label="b", required=None),  # type: ignore[arg-type]
        ]

    @strawberry.field
    async def later_items(self) -> list[Item] | None:
        await asyncio.sleep(0)
        return _items(2)

    @strawberry.field
    def awaitable_items(self) -> list[Item | None]:
        async def one(n: int) -> Item:
            await asyncio.sleep(0)
            return Item(id=strawberry.ID(str(n)), label=None, required="r", count=n)

        return [one(1), one(2)]  # type: ignore[list-item]

    @strawberry.field
    def pets(self) -> list[Pet]:
        return [Cat(name="Tom", lives=9, mood=Mood.CALM), Dog(name="Rex", good=True)]

    @strawberry.field
    def named(self) -> list[Named]:
        return [Dog(name="Rex", good=False), Cat(name="Kit", lives=3)]

    @strawberry.field
    def wrong_type(self) -> Strict | None:
        return Dog(name="Rex", good=True)  # type: ignore[return-value]

    @strawberry.field
    def big(self) -> int | None:
        return 2**40

    @strawberry.field
    def not_a_list(self) -> list[int] | None:
        return 5  # type: ignore[return-value]

    @strawberry.field
    def numbers(self) -> list[int]:
        return _numbers()  # type: ignore[return-value]

    @strawberry.field
    def mood(self, angry: bool = False) -> Mood:
        return Mood.ANGRY if angry else Mood.CALM

    @strawberry.field
    def bad_mood(self) -> Mood | None:
        return "sulking"  # type: ignore[return-value]

    @strawberry.field
    def required_null(self) -> str:
        return None  # type: ignore[return-value]


DOCUMENTS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "leaves, aliases, resolvers and __typename": (
        "{ items { __typename id label required count doubled n: count again: label later } }",
        None,
    ),
    "merged fields and fragments": (
        """
        query { items(count: 2) { id ...F ... on Item { label child { id } } child { count } } }
        fragment F on Item { required label }
        """,
        None,
    ),
    "a null in a non-null field nulls its nullable parent": (
        "{ itemsWithANullRequired { id required } }",
        None,
    ),
    "and a list of non-null items whole": ("{ strictItems { id required } }", None),
    "and the whole response when nothing above is nullable": ("{ requiredNull }", None),
    "resolver errors, sync and async, nullable and not": (
        "{ items { id fails failsLater } b: items(count: 2) { failsRequired } }",
        None,
    ),
    "async non-null fields that return null": ("{ items(count: 2) { id laterRequired } }", None),
    "awaitable lists and awaitable items": (
        "{ laterItems { id later } awaitableItems { id laterRequired } }",
        None,
    ),
    "recursion and paths": ("{ items(count: 3) { path child { path child { path } } } }", None),
    "unions": (
        "{ pets { __typename ... on Cat { name lives mood } ... on Dog { name good } } }",
        None,
    ),
    "interfaces": ("{ named { __typename name ... on Dog { good } } }", None),
    "is_type_of refusing a value": ("{ wrongType { name } }", None),
    "a leaf that does not coerce": ("{ big badMood }", None),
    "a list field that is not a list": ("{ notAList }", None),
    "an async iterable as a list": ("{ numbers }", None),
    "arguments from variables": (
        "query ($n: Int!, $angry: Boolean!) { items(count: $n) { id } mood(angry: $angry) }",
        {"n": 2, "angry": True},
    ),
    "@skip and @include, true": (
        "query ($yes: Boolean!) { items(count: 2) { id label @include(if: $yes) "
        "count @skip(if: $yes) } }",
        {"yes": True},
    ),
    "@skip and @include, false": (
        "query ($yes: Boolean!) { items(count: 2) { id label @include(if: $yes) "
        "count @skip(if: $yes) } }",
        {"yes": False},
    ),
}


def _schema(executor: type[StrawberryGraphQLCoreExecutionContext] | None) -> strawberry.Schema:
    # The parser cache hands back the same document for the same text, as in the server.
    return strawberry.Schema(
        query=Query, execution_context_class=executor, extensions=[ParserCache]
    )


REFERENCE = _schema(None)
COMPILED = _schema(CompiledExecutor)


def _comparable(result: ExecutionResult) -> tuple[bytes, list[bytes]]:
    errors = sorted(
        orjson.dumps(
            {**error.formatted, "original": type(error.original_error).__name__},
            option=orjson.OPT_SORT_KEYS,
        )
        for error in result.errors or ()
    )
    return orjson.dumps(result.data), errors


@pytest.mark.parametrize("name", DOCUMENTS)
async def test_the_compiled_executor_answers_as_graphql_core(name: str) -> None:
    document, variables = DOCUMENTS[name]
    expected = await REFERENCE.execute(document, variable_values=variables)
    # Twice: the second run reuses the plan the first one made.
    for _ in range(2):
        found = await COMPILED.execute(document, variable_values=variables)
        assert _comparable(found) == _comparable(expected)


async def test_the_documents_meet_what_they_are_named_for() -> None:
    """The comparison above is only worth something if the documents do reach errors."""
    failing = set()
    for name, (document, variables) in DOCUMENTS.items():
        result = await REFERENCE.execute(document, variable_values=variables)
        if result.errors:
            failing.add(name)
    assert failing == {
        "a null in a non-null field nulls its nullable parent",
        "and a list of non-null items whole",
        "and the whole response when nothing above is nullable",
        "resolver errors, sync and async, nullable and not",
        "async non-null fields that return null",
        "awaitable lists and awaitable items",
        "is_type_of refusing a value",
        "a leaf that does not coerce",
        "a list field that is not a list",
    }
    document = DOCUMENTS["and the whole response when nothing above is nullable"][0]
    assert (await REFERENCE.execute(document)).data is None


async def test_a_plan_is_made_once_per_document_and_condition_values() -> None:
    document = "query Once($yes: Boolean!) { items(count: 1) { id label @include(if: $yes) } }"
    for yes in (True, False, True, False):
        await COMPILED.execute(document, variable_values={"yes": yes})
    (operation_plans,) = [
        plans
        for plans in CompiledExecutor._plans.values()
        if plans.operation.loc is not None and plans.operation.loc.source.body == document
    ]
    assert len(operation_plans.by_conditions) == 2
