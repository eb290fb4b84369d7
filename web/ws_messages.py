"""What a graphql-transport-ws message from a client must look like, by the protocol
(enisdenjo/graphql-ws, PROTOCOL.md, and its `validateMessage`).

A message of a type or shape the protocol does not specify closes the socket with
`4400: <reason>`; the reason says what was wrong, never echoes the client's data (a
close reason holds at most 123 bytes).
"""

from typing import Any

CLIENT_TYPES = frozenset({"connection_init", "ping", "pong", "subscribe", "complete"})
_NULLABLE_PAYLOAD = frozenset({"connection_init", "ping", "pong"})


def _kind(value: object) -> str:
    """The value's JSON type, as the reason names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "value")


def protocol_violation(message: Any) -> str | None:
    """Why the message breaks the protocol; None when it is well formed. A subscribe that
    names a persisted document (`web/persisted.py`) may leave its query out."""
    if not isinstance(message, dict):
        return f"A message must be an object, not {_kind(message)}."
    kind = message.get("type")
    if not isinstance(kind, str):
        return "A message's 'type' must be a string."
    if kind not in CLIENT_TYPES:
        return "Unknown message type."
    payload = message.get("payload")
    if kind in _NULLABLE_PAYLOAD:
        if payload is not None and not isinstance(payload, dict):
            return f"'{kind}' payload must be an object or null, not {_kind(payload)}."
        return None
    id = message.get("id")
    if not isinstance(id, str) or not id:
        return f"'{kind}' needs an 'id' that is a non-empty string."
    if kind == "complete":
        return None
    return _subscribe_payload_violation(payload)


def _subscribe_payload_violation(payload: object) -> str | None:
    if not isinstance(payload, dict):
        return f"'subscribe' payload must be an object, not {_kind(payload)}."
    for name, kind in (("variables", dict), ("extensions", dict), ("operationName", str)):
        value = payload.get(name)
        if value is not None and not isinstance(value, kind):
            return f"'subscribe' payload's '{name}' must be {_kind(kind())} or null."
    query = payload.get("query")
    persisted = "documentId" in payload or "persistedQuery" in (payload.get("extensions") or {})
    if not isinstance(query, str) and not (persisted and query is None):
        return "'subscribe' payload's 'query' must be a string."
    return None
