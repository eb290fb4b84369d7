"""The schema documents itself: graphql-schema-linter finds nothing in it, the contract's
descriptions are used word for word, and introspection shows the schema's description."""

import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
)

from schema import DESCRIPTION, create_schema
from settings import Settings
from tests.api import Api

ROOT = Path(__file__).resolve().parents[2]
LINTER = ROOT / "node_modules" / ".bin" / "graphql-schema-linter"
CONTRACT = ROOT / "vendor" / "contract" / "schema.graphql"
NEXT_CONTRACT = CONTRACT.with_name("next.graphql")


def _exported() -> str:
    return create_schema(Settings()).as_str() + "\n"


@pytest.mark.skipif(
    not LINTER.exists() or shutil.which("node") is None,
    reason="node_modules lacks graphql-schema-linter: run `npm ci` (make test does)",
)
def test_the_linter_finds_nothing_in_the_exported_schema(tmp_path: Path) -> None:
    """Every rule of graphql-schema-linter.config.js passes on the schema the server serves."""
    exported = tmp_path / "schema.graphql"
    exported.write_text(_exported())

    result = subprocess.run(
        [str(LINTER), "--config-directory", str(ROOT), "--format", "text", str(exported)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 errors detected" in result.stdout


def _described(schema: GraphQLSchema) -> dict[str, str | None]:
    """Every description of the schema's own types, fields, arguments and enum values."""
    found: dict[str, str | None] = {}
    for name, kind in schema.type_map.items():
        if name.startswith("__"):
            continue
        found[name] = kind.description
        fields: dict[str, GraphQLField] = {}
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            fields = kind.fields
        for field_name, field in fields.items():
            found[f"{name}.{field_name}"] = field.description
            for argument_name, argument in field.args.items():
                found[f"{name}.{field_name}({argument_name})"] = argument.description
        if isinstance(kind, GraphQLEnumType):
            for value_name, value in kind.values.items():
                found[f"{name}.{value_name}"] = value.description
    return found


def test_the_contracts_descriptions_are_used_word_for_word() -> None:
    """Where the contract describes a type, field, argument or enum value, the server says the
    same words (line breaks aside). The contract's schema description is about the contract
    file itself ("the server's exported schema must contain everything here"): the server's
    schema describes the API instead.

    The next contract (what the open issues grow it into) rewords some descriptions: a
    member of both may use either's words, a member of the next one only its words."""
    contract = _described(build_schema(CONTRACT.read_text()))
    upcoming = _described(build_schema(NEXT_CONTRACT.read_text()))
    served = _described(build_schema(_exported()))

    def words(text: str | None) -> str | None:
        return " ".join(text.split()) if text else None

    differing = {
        member: (text, served.get(member))
        for member, text in contract.items()
        if text and words(served.get(member)) not in {words(text), words(upcoming.get(member))}
    }
    assert not differing, differing
    differing = {
        member: (text, served[member])
        for member, text in upcoming.items()
        if text
        and member in served
        and member not in contract
        and words(text) != words(served[member])
    }
    assert not differing, differing


def test_every_member_has_a_description() -> None:
    """No type, field, argument or enum value goes undescribed (the linter says the same,
    when Node is at hand)."""
    served = _described(build_schema(_exported()))

    assert [member for member, text in served.items() if not text] == []


async def test_introspection_shows_the_schema_description(api: Api) -> None:
    body = await api.query("{ __schema { description } }")

    assert body == {"data": {"__schema": {"description": DESCRIPTION}}}
