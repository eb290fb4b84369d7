"""How a chat view reads tool calls out of stored message content.

Two forms exist: a TOOL_CALL message whose content is a JSON object, and, in
agent-to-agent sessions, assistant text with inline ```tool_code blocks (the pattern
of the platform's REST router, kept as it was).
"""

import json
import re
from dataclasses import dataclass
from typing import Any

INLINE_MARKER = "```tool_code"

_INLINE_CALL = re.compile(
    r"```tool_code\s*\n\s*(\w+)\s*\n```"  # the tool's name
    r"(?:\s*```json\s*\n(.*?)\n```)?",  # optional JSON arguments
    re.DOTALL,
)


@dataclass(frozen=True)
class ToolCallData:
    name: str
    args: Any
    status: str
    result: Any


def parse_tool_call(content: str) -> ToolCallData | None:
    """The call a TOOL_CALL message stores, or None when its content is no JSON object."""
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    return ToolCallData(
        name=str(data.get("name", "")),
        args=data.get("args"),
        status=str(data.get("status", "done")),
        result=data.get("result", ""),
    )


def _inline_args(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text.strip())
    except (ValueError, RecursionError):
        return {"raw": text.strip()}


def split_inline_tool_calls(content: str) -> list[str | ToolCallData]:
    """Text and tool calls in order; blank text dropped; the whole text when none match."""
    parts: list[str | ToolCallData] = []
    last_end = 0
    for match in _INLINE_CALL.finditer(content):
        if text := content[last_end : match.start()].strip():
            parts.append(text)
        parts.append(ToolCallData(match.group(1), _inline_args(match.group(2)), "done", ""))
        last_end = match.end()
    if trailing := content[last_end:].strip():
        parts.append(trailing)
    return parts or [content]
