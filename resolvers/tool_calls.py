"""How a chat view reads tool calls out of stored message content.

Two forms exist: a TOOL_CALL message whose content is a JSON object, and, in
agent-to-agent sessions, assistant text with inline ```tool_code blocks (found as the
platform's REST router found them).

A stored call names its fields in two ways ("name" or "tool_name", "args" or
"arguments"): the first one with a value wins, where, as in the platform's router, an
empty value ('', {}, [], 0, false, null) counts as none.
"""

import json
import re
from dataclasses import dataclass
from typing import Any

INLINE_MARKER = "```tool_code"

# The REST router's pattern, finding the same calls: only the newline that ends the
# "```tool_code" and "```json" lines is now the first one ([^\S\n]*\n, not \s*\n), so
# a long run of newlines no longer makes the match backtrack quadratically.
_INLINE_CALL = re.compile(
    r"```tool_code[^\S\n]*\n\s*(\w+)\s*\n```"  # the tool's name
    r"(?:\s*```json[^\S\n]*\n(.*?)\n```)?",  # optional JSON arguments
    re.DOTALL,
)


@dataclass(frozen=True)
class ToolCallData:
    name: str
    args: Any
    status: str
    result: Any
    thinking: str = ""
    call_id: str = ""


def _number(text: str) -> int | float:
    """A JSON integer; past 64 bits (which the response encoder refuses) a float."""
    if len(text) > len(str(-(2**63))):
        return float(text)
    value = int(text)
    return value if -(2**63) <= value < 2**64 else float(text)


def _text(value: Any, absent: str) -> str:
    """A string field of a stored call; null reads as absent, other JSON as its text."""
    if value is None:
        return absent
    return value if isinstance(value, str) else json.dumps(value)


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_number)


def parse_tool_call(content: str) -> ToolCallData | None:
    """The call a TOOL_CALL message stores, or None when its content is no JSON object."""
    try:
        data = _loads(content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    return ToolCallData(
        name=_text(data.get("name") or data.get("tool_name"), ""),
        args=data.get("args") or data.get("arguments"),
        status=_text(data.get("status"), "done"),
        result=data.get("result", ""),
        thinking=_text(data.get("reasoning_content"), ""),
        call_id=_text(data.get("tool_call_id") or None, ""),
    )


def _inline_args(text: str | None) -> Any:
    """The JSON block's value; None without one (or an empty one), {"raw": text} if not JSON."""
    if text is None or not text.strip():
        return None
    try:
        return _loads(text.strip())
    except (ValueError, RecursionError):
        return {"raw": text.strip()}


def split_inline_tool_calls(content: str) -> list[str | ToolCallData]:
    """Text and tool calls in order, text stripped and blank text dropped.

    With no call found, the whole text is one part, stripped like any other.
    """
    matches = list(_INLINE_CALL.finditer(content))
    if not matches:
        return [text] if (text := content.strip()) else []
    parts: list[str | ToolCallData] = []
    last_end = 0
    for match in matches:
        if text := content[last_end : match.start()].strip():
            parts.append(text)
        parts.append(ToolCallData(match.group(1), _inline_args(match.group(2)), "done", ""))
        last_end = match.end()
    if trailing := content[last_end:].strip():
        parts.append(trailing)
    return parts
