"""Generated queries and mutations, valid and not, sent through the real app.

hypothesis-graphql writes documents from the server's own schema: valid ones (POSITIVE)
and ones with a single schema violation (NEGATIVE). Ids are drawn from the platform's
real rows (another tenant's included) and from junk; page sizes from the useful range
and from all of Int. Whatever comes, the answer is well formed with client codes only,
and no row changes: the viewer's mutations only ever name another tenant's rows or
rows that do not exist.
"""

import json
from collections.abc import AsyncIterator
from functools import cache
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries
from hypothesis_graphql import nodes as value_nodes

from db.demo import demo_id
from db.engine import Database
from schema import create_schema
from settings import Settings
from tests.api import Api
from tests.factories import Factory
from tests.hostile import ATLAS, ATLAS_SESSION, Platform, hostile_platform, well_formed
from tests.snapshots import snapshot

SCHEMA = graphql.build_schema(create_schema(Settings()).as_str())
JUNK_IDS = st.text(max_size=40) | st.uuids().map(str)
# Mostly page sizes that work, so that many examples read real rows; the rest anywhere in Int.
INTS = st.one_of(
    st.integers(1, 100), st.integers(1, 100), st.integers(-3, 600), st.integers(-(2**31), 2**31 - 1)
)
FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def platform(database: Database, factory: Factory) -> AsyncIterator[Platform]:
    """The attack platform; every row must be as it was once the examples have run."""
    platform = await hostile_platform(database, factory)
    before = await snapshot(database)
    yield platform
    assert await snapshot(database) == before


def own_and_foreign_ids(platform: Platform) -> tuple[str, ...]:
    return (
        str(ATLAS),
        str(ATLAS_SESSION),
        str(demo_id("agent:Scribe")),
        str(demo_id("session:a2a")),
        str(platform.orion),
        str(platform.orion_session),
    )


def foreign_ids(platform: Platform) -> tuple[str, ...]:
    return (str(platform.orion), str(platform.orion_session))


def scalars(ids: list[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    return {
        # Mostly real ids (of this tenant and another), so that many examples reach rows.
        "ID": st.one_of(*[st.sampled_from(ids)] * 3, JUNK_IDS).map(value_nodes.String),
        "Int": INTS.map(value_nodes.Int),
    }


@cache
def documents(
    kind: str, ids: tuple[str, ...], mode: Mode = Mode.POSITIVE
) -> st.SearchStrategy[str]:
    """Built once per kind and ids: building walks the whole schema."""
    strategy = queries if kind == "query" else mutations
    return strategy(SCHEMA, custom_scalars=scalars(list(ids)), mode=mode)


async def send(api: Api, platform: Platform, document: str) -> None:
    response = await api.post(document, user=platform.ada)
    body = well_formed(response)
    assert body is not None, response.text


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
@FUZZ
@given(data=st.data())
async def test_generated_queries(
    api: Api, platform: Platform, mode: Mode, data: st.DataObject
) -> None:
    """Generated reads over real and junk ids get clean answers and change nothing."""
    document = data.draw(documents("query", own_and_foreign_ids(platform), mode))

    await send(api, platform, document)


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
@FUZZ
@given(data=st.data())
async def test_generated_mutations(
    api: Api, platform: Platform, mode: Mode, data: st.DataObject
) -> None:
    """Generated writes at foreign or missing rows get clean answers and change nothing."""
    document = data.draw(documents("mutation", foreign_ids(platform), mode))

    await send(api, platform, document)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def requests(draw: st.DrawFn, platform: Platform) -> bytes:
    """A POST body: a generated document, cut or spliced, with odd variables and names."""
    document = draw(
        documents("query", own_and_foreign_ids(platform))
        | documents("mutation", foreign_ids(platform))
    )
    cut = draw(st.integers(0, len(document)))
    document = draw(
        st.sampled_from(
            [document, document[:cut], document[:cut] + draw(st.text(max_size=8)) + document[cut:]]
        )
    )
    payload: dict[str, Any] = {"query": draw(st.just(document) | JSON_VALUES)}
    if draw(st.booleans()):
        payload["variables"] = draw(JSON_VALUES)
    if draw(st.booleans()):
        payload["operationName"] = draw(JSON_VALUES)
    return json.dumps(payload).encode()


@FUZZ
@given(data=st.data())
async def test_generated_requests(api: Api, platform: Platform, data: st.DataObject) -> None:
    """Cut and spliced documents with arbitrary JSON around them get clean answers."""
    response = await api.client.post(
        "/graphql",
        content=data.draw(requests(platform)),
        headers={**api.headers(platform.ada), "Content-Type": "application/json"},
    )

    well_formed(response)
