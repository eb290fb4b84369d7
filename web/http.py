"""The transport rules of /graphql, after the GraphQL-over-HTTP specification.

Spec: https://graphql.github.io/graphql-over-http/draft/ (sections named "Part > Section").
Every answer, refusals included, is a well-formed GraphQL response whose errors carry
`extensions.code` (BAD_USER_INPUT for the client's mistakes, INTERNAL_SERVER_ERROR else).

Methods
  1. GET and POST only; any other method is 405 with `Allow: GET, POST`
     (Request; RFC 9110 §15.5.6 for the Allow header). With CORS off (no CORS_ORIGINS),
     a preflight is one of them, and its message names CORS_ORIGINS.
  2. GET runs queries only: a mutation is 405 with `Allow: POST` and is not executed
     (Request > GET). Subscriptions are not served over HTTP (Overview).
Media types
  3. The Accept header picks the response's media type, application/graphql-response+json
     or application/json: highest q first, then the range that names the type, then the
     first listed. `*/*`, `application/*` or no Accept at all gets application/json, as for
     legacy clients (Request > Accept; Response > Body and its Legacy watershed). A header
     that allows neither is 406 (Response > Body). GraphiQL (a GET with no query that
     accepts text/html) is served before this rule.
  4. Responses are UTF-8 and say so; a request without a charset is read as UTF-8
     (Serialization Format > Media Types; Response > Body).
POST bodies
  5. Content-Type must be application/json, UTF-8 if a charset is given; no Content-Type,
     or any other (form, multipart, text/plain, ...), is 415. So no request that a browser
     sends cross-site without a CORS preflight can run an operation (Request > POST;
     Non-Normative Notes > Security; RFC 9110 §15.5.16).
  6. A body over `settings.max_body_bytes` is 413, counted as it arrives: Content-Length
     only lets a too-large body be refused before it is read (RFC 9110 §15.5.14).
  7. The body must be a JSON object: malformed JSON, invalid UTF-8 or any other JSON value
     is 400 (Request > POST > JSON Encoding; Response > Status Codes > application/json).
Parameters
  8. `query` is required and a string; `operationName` a string; `variables` and
     `extensions` maps; null means absent. Anything else is 400. On GET they come from the
     URL, variables and extensions as JSON strings, and an empty value means absent
     (Request > Request Parameters; Request > GET).
Status codes
  9. A request error, raised before execution (the document does not parse or validate,
     the operation cannot be determined, variables cannot be coerced), gives a response
     without `data`: 400 as application/graphql-response+json (500 when the error is the
     server's), 200 as application/json (Response > Status Codes, both media type parts;
     GraphQL spec "Response Format" for the absent `data`).
 10. Otherwise 200, field errors and a null `data` included (same sections).
 11. Overload: a request refused for want of a request slot or a database connection is
     503 with `Retry-After` (RFC 9110 §15.6.4), its only error SERVICE_UNAVAILABLE; a
     slow body is 408, a request past its deadline 504 (`web/admission.py`). A response
     larger than `settings.max_response_bytes` is replaced by a RESPONSE_TOO_LARGE request
     error (rule 9).
"""

from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError
from starlette.types import Message, Receive
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType

from errors import INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE, BadUserInput

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"
UTF_8 = ("utf-8", "utf8")


class TransportError(HTTPException):
    """A request this endpoint refuses before (or instead of) running it."""

    def __init__(
        self, status_code: int, reason: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(status_code, reason)
        self.headers = dict(headers or {})


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8"


def _media_range(item: str) -> tuple[str, dict[str, str]]:
    kind, *parameters = item.split(";")
    pairs = (parameter.partition("=") for parameter in parameters)
    return kind.strip().lower(), {
        name.strip().lower(): value.strip().strip('"').lower() for name, _, value in pairs
    }


def _quality(parameters: dict[str, str]) -> float:
    if parameters.get("charset", "utf-8") not in UTF_8:
        return 0.0
    try:
        return min(max(float(parameters.get("q", "1")), 0.0), 1.0)
    except ValueError:
        return 0.0


def negotiate(accept: str | None) -> str | None:
    """The response media type for this Accept header; None when it allows neither (rule 3)."""
    if accept is None or not accept.strip():
        return JSON
    best: dict[str, tuple[int, float, int]] = {}
    for position, item in enumerate(accept.split(",")):
        kind, parameters = _media_range(item)
        for candidate in (GRAPHQL_RESPONSE_JSON, JSON):
            specificity = {candidate: 2, "application/*": 1, "*/*": 0}.get(kind)
            if specificity is None:
                continue
            # The most specific range that matches a type sets its quality (RFC 9110 §12.5.1).
            if candidate not in best or specificity > best[candidate][0]:
                best[candidate] = (specificity, _quality(parameters), -position)
    ranked = sorted(
        ((quality, specificity, order, media_type == JSON), media_type)
        for media_type, (specificity, quality, order) in best.items()
    )
    if not ranked or ranked[-1][0][0] == 0:
        return None
    return ranked[-1][1]


def acceptable(accept: str | None) -> str:
    media_type = negotiate(accept)
    if media_type is None:
        raise TransportError(
            406,
            f"The Accept header allows neither {GRAPHQL_RESPONSE_JSON} nor {JSON}.",
            {"Accept": f"{content_type(GRAPHQL_RESPONSE_JSON)}, {content_type(JSON)}"},
        )
    return media_type


def check_method(method: str, preflight: bool = False) -> None:
    """Rule 1. A CORS preflight reaches this only with CORS off: its refusal says so."""
    if method not in ("GET", "POST"):
        reason = "GraphQL is served over GET and POST."
        if preflight:
            reason += " This is a CORS preflight and CORS is off: list the origin in CORS_ORIGINS."
        raise TransportError(405, reason, {"Allow": "GET, POST"})


def check_content_type(header: str | None) -> None:
    kind, parameters = _media_range(header or "")
    if kind != JSON or parameters.get("charset", "utf-8") not in UTF_8:
        raise TransportError(415, "A POST body must be application/json, in UTF-8.")


def _too_large(limit: int) -> TransportError:
    return TransportError(413, f"The request body is larger than {limit} bytes.")


def check_declared_length(header: str | None, limit: int) -> None:
    if header is not None and header.strip().isdigit() and int(header) > limit:
        raise _too_large(limit)


def limit_body(receive: Receive, limit: int) -> Receive:
    """`receive`, refusing the body as soon as more than `limit` bytes of it arrived (rule 6)."""
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise _too_large(limit)
        return message

    return receive_within_limit


def operation_types(method: str) -> set[OperationType]:
    if method == "GET":
        return {OperationType.QUERY}
    return {OperationType.QUERY, OperationType.MUTATION}


def mutation_over_get() -> TransportError:
    return TransportError(405, "Mutations need POST: GET runs queries only.", {"Allow": "POST"})


def _bad_request(reason: str) -> TransportError:
    return TransportError(400, reason)


def _optional(data: dict[str, Any], name: str, kind: type, described: str) -> Any:
    value = data.get(name)
    if value is not None and not isinstance(value, kind):
        raise _bad_request(f"`{name}` must be {described} or null.")
    return value


def request_parameters(data: object) -> GraphQLRequestData:
    """The GraphQL-over-HTTP request in `data`, if it is a well-formed one (rules 7 and 8)."""
    if not isinstance(data, dict):
        raise _bad_request("The request body must be a JSON object.")
    query = data.get("query")
    if not isinstance(query, str):
        raise _bad_request("`query` is required: the GraphQL document, as a string.")
    return GraphQLRequestData(
        query=query,
        operation_name=_optional(data, "operationName", str, "a string"),
        variables=_optional(data, "variables", dict, "an object"),
        extensions=_optional(data, "extensions", dict, "an object"),
    )


def request_error(message: str) -> PreExecutionError:
    """A GraphQL request error that the schema did not raise itself (rule 9)."""
    return PreExecutionError(
        data=None, errors=[GraphQLError(message, extensions={"code": BadUserInput.code})]
    )


def is_request_error(result: ExecutionResult) -> bool:
    """Whether `result` failed before execution: no data, and no error at a field's path."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(error.path is None for error in errors)


def error_body(message: str, code: str) -> bytes:
    """A GraphQL response of one request error."""
    return orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})


def status_code(media_type: str, body: GraphQLHTTPResponse) -> int:
    """Rules 9 to 11: `body` has no `data` exactly when it reports a request error."""
    if "data" in body:
        return 200
    codes = {error.get("extensions", {}).get("code") for error in body.get("errors") or []}
    if SERVICE_UNAVAILABLE in codes:
        return 503
    if media_type == JSON:
        return 200
    return 500 if INTERNAL_SERVER_ERROR in codes else 400
