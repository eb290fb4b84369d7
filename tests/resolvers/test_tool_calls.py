"""Reading tool calls out of message content: the pure functions behind toolCall and parts."""

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.tool_calls import ToolCallData, parse_tool_call, split_inline_tool_calls

# The platform REST router's pattern and splitting, as the seed has them: the reference
# the server's split must agree with wherever it finds a call.
SEED_PATTERN = re.compile(
    r"```tool_code\s*\n\s*(\w+)\s*\n```" r"(?:\s*```json\s*\n(.*?)\n```)?", re.DOTALL
)


def _seed_split(content: str) -> list[Any]:
    parts: list[Any] = []
    last_end = 0
    for match in SEED_PATTERN.finditer(content):
        if text := content[last_end : match.start()].strip():
            parts.append(text)
        args_text = match.group(2)
        args = None
        # The seed reads a blank block as {"raw": ""}; SPEC makes a missing value null.
        if args_text and args_text.strip():
            try:
                args = json.loads(args_text.strip())
            except ValueError:
                args = {"raw": args_text.strip()}
        parts.append(ToolCallData(match.group(1), args, "done", ""))
        last_end = match.end()
    if trailing := content[last_end:].strip():
        parts.append(trailing)
    return parts


def _call(name: str, args: Any = None) -> ToolCallData:
    return ToolCallData(name=name, args=args, status="done", result="")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            '{"name": "a", "args": {"x": 1}, "status": "failed", "result": [1]}',
            ToolCallData("a", {"x": 1}, "failed", [1]),
            id="complete",
        ),
        pytest.param("{}", ToolCallData("", None, "done", ""), id="defaults"),
        pytest.param(
            '{"name": null, "status": null, "result": null}',
            ToolCallData("", None, "done", None),
            id="nulls-as-absent-but-result",
        ),
        pytest.param(
            '{"name": 7, "status": {"code": 1}}',
            ToolCallData("7", None, '{"code": 1}', ""),
            id="non-string-name-and-status",
        ),
        pytest.param(
            '{"tool_name": "b", "arguments": [1], "reasoning_content": "r", "tool_call_id": "c"}',
            ToolCallData("b", [1], "done", "", thinking="r", call_id="c"),
            id="platform-names",
        ),
        pytest.param(
            '{"name": "a", "tool_name": "b", "args": {"x": 1}, "arguments": {"x": 2}}',
            ToolCallData("a", {"x": 1}, "done", ""),
            id="name-and-args-first",
        ),
        pytest.param(
            '{"name": "", "tool_name": "b", "args": {}, "arguments": {"x": 2}}',
            ToolCallData("b", {"x": 2}, "done", ""),
            id="empty-values-count-as-none",
        ),
        pytest.param(
            '{"reasoning_content": null, "tool_call_id": 12}',
            ToolCallData("", None, "done", "", thinking="", call_id="12"),
            id="null-thinking-and-numeric-call-id",
        ),
        pytest.param(
            '{"args": {"big": 123456789012345678901234567890, "ok": 9223372036854775807}}',
            ToolCallData("", {"big": 1.2345678901234568e29, "ok": 2**63 - 1}, "done", ""),
            id="integers-past-64-bits-become-floats",
        ),
        pytest.param(
            '{"result": -18446744073709551616}',
            ToolCallData("", None, "done", -1.8446744073709552e19),
            id="negative-past-64-bits",
        ),
        pytest.param(
            '{"args": ' + "9" * 5000 + "}",
            ToolCallData("", float("inf"), "done", ""),
            id="thousands-of-digits",
        ),
    ],
)
def test_a_json_object_is_a_call(content: str, expected: ToolCallData) -> None:
    """Each key with its default; nothing in it can break the JSON response."""
    assert parse_tool_call(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("", id="empty"),
        pytest.param("search(q)", id="text"),
        pytest.param("[1, 2]", id="list"),
        pytest.param('"name"', id="string"),
        pytest.param("true", id="boolean"),
        pytest.param("null", id="null"),
        pytest.param('{"name": ', id="truncated"),
        pytest.param("[" * 100_000, id="too-deep"),
    ],
)
def test_anything_but_a_json_object_is_no_call(content: str) -> None:
    """Content that is not a JSON object gives no call, and never an exception."""
    assert parse_tool_call(content) is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            'Hi\n```tool_code\nfind\n```\n```json\n{"q": 1}\n```\nmid\n```tool_code\nsum\n```\nbye',
            ["Hi", _call("find", {"q": 1}), "mid", _call("sum"), "bye"],
            id="text-around-and-between",
        ),
        pytest.param(
            "```tool_code\nfind\n```\n```json\n{oops}\n```",
            [_call("find", {"raw": "{oops}"})],
            id="args-not-json",
        ),
        pytest.param(
            '```tool_code\nfind\n```\n\n\n```json\n\n\n  {"q": 1}  \n\n```',
            [_call("find", {"q": 1})],
            id="blank-lines-around-args",
        ),
        pytest.param(
            "```tool_code\nfind\n```\n```json\n   \n```", [_call("find")], id="blank-args"
        ),
        pytest.param(
            "```tool_code\na\n```\n\n   \n```tool_code\nb\n```",
            [_call("a"), _call("b")],
            id="blank",
        ),
        pytest.param("  see ```tool_code\n```  ", ["see ```tool_code\n```"], id="no-name"),
        pytest.param(
            "\n  Mentions ```tool_code but holds no block.\n\n",
            ["Mentions ```tool_code but holds no block."],
            id="mention-stripped",
        ),
        pytest.param("```tool_code\ntwo words\n```", ["```tool_code\ntwo words\n```"], id="words"),
        pytest.param(
            "```tool_code find\n```", ["```tool_code find\n```"], id="name-on-marker-line"
        ),
        pytest.param(
            "```tool_code\nfind\n```\n```json\nnever closed",
            [_call("find"), "```json\nnever closed"],
            id="unclosed-args",
        ),
    ],
)
def test_inline_calls_split_the_text(content: str, expected: list[Any]) -> None:
    """Text (stripped, blank dropped) and calls in order; no call leaves one stripped part."""
    assert split_inline_tool_calls(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        pytest.param("```tool_code" + "\n" * 50_000 + "x", id="newlines-after-marker"),
        pytest.param("```tool_code\nx\n```\n```json" + "\n" * 50_000, id="newlines-after-json"),
        pytest.param("```tool_code\n" + " \n" * 50_000 + "x y", id="blank-lines-then-words"),
    ],
)
def test_long_runs_of_newlines_are_read_in_one_pass(content: str) -> None:
    """Content the seed's pattern backtracks over for a minute splits at once, like the seed's."""
    parts = split_inline_tool_calls(content)

    if "```json" in content:
        assert parts == [_call("x"), "```json"]
    else:
        assert parts == [content.strip()]


TOKENS = [
    "```tool_code",
    "```json",
    "```",
    "\n",
    "\n\n",
    " ",
    "\t",
    "\r",
    "name",
    "x y",
    "{}",
    '{"a": [1, 2]}',
    "not json",
    "é",
]


@given(st.lists(st.sampled_from(TOKENS), max_size=16).map("".join))
def test_splitting_agrees_with_the_seed(content: str) -> None:
    """Wherever the seed finds a call, the split is the seed's, part for part; elsewhere
    the whole text is one part, stripped (none when blank)."""
    seed = _seed_split(content)

    parts = split_inline_tool_calls(content)

    if any(isinstance(part, ToolCallData) for part in seed):
        assert parts == seed
    else:
        assert parts == ([content.strip()] if content.strip() else [])
