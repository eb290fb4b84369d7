"""Persisted operations: a request may name its document by hash instead of sending it.

Two kinds, one at a time:

Automatic persisted queries (APQ), as Apollo's PersistedQueryLink speaks them (the default)
  A request carries `extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`.
  - hash only, known       runs the document stored under it (GET with only the hash is a
                           short, stable URL that a cache may key on);
  - hash only, unknown     PERSISTED_QUERY_NOT_FOUND, message "PersistedQueryNotFound":
                           the client retries with the document;
  - hash and document      the hash must be the document's SHA-256 (else
                           PERSISTED_QUERY_HASH_MISMATCH); once the document parses and
                           validates it is stored under the hash.
  The store is a least-recently-used map per process, bounded in bytes
  (`settings.apq_cache_bytes`; 0 turns APQ off: PERSISTED_QUERY_NOT_SUPPORTED, and
  Apollo's link then sends whole documents), and per client (`settings.apq_client_bytes`):
  a client is its token's user, or its address when it sends no valid token, and its
  registrations push out its own documents, never another's (see `DocumentStore`).

Trusted documents (an allow-list), with `settings.trusted_documents` set
  The manifest GraphQL Code Generator writes for clients/operations
  (persisted-documents.json: {"sha256:<hex>": document}) lists the only documents the
  server runs: named by hash (`extensions.persistedQuery.sha256Hash`, or `documentId`
  as in the GraphQL-over-HTTP draft's persisted documents) or sent as the manifest's exact
  text. Any other document, introspection included, is OPERATION_NOT_TRUSTED, and nothing
  is registered. GraphiQL is not served then (web/graphql_view.py): it could run nothing.

Each refusal is a GraphQL request error (web/http.py rule 9): 400 as
application/graphql-response+json, 200 as application/json, a coded error and no data;
over WebSocket, an `error` message (web/graphql_view.py hooks both transports).
"""

import hashlib
import json
import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from starlette.requests import Request
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from auth.tokens import user_id_from_authorization
from errors import BadUserInput, Unauthenticated, excerpt
from observability.metrics import APQ
from settings import Settings
from web.http import TransportError

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
OPERATION_NOT_TRUSTED = "OPERATION_NOT_TRUSTED"

COMMITTED_MANIFEST = (
    Path(__file__).resolve().parents[1] / "clients/typescript/src/gql/persisted-documents.json"
)
_SHA256 = re.compile(r"(?:sha256:)?([0-9a-fA-F]{64})")


class Refusal(TransportError):
    """A persisted operation this server will not run, with its `extensions.code`."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(400, reason)
        self.code = code


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


class DocumentStore:
    """Documents by hash, each held by the client that registered it (`client_of`).

    A client holds at most `client_bytes`: past that its own least recently used documents
    go first. Past `max_bytes` in all, the client that holds the most gives up its least
    recently used one (the registering client on a tie). So a client registering documents
    pushes out its own, never those of a client that holds less: flooding the store costs
    an attacker their own share, not anyone else's documents.
    """

    def __init__(self, max_bytes: int, client_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.client_bytes = max_bytes if client_bytes is None else min(client_bytes, max_bytes)
        self.size = 0
        self._documents: dict[str, tuple[str, str]] = {}  # key: (document, its client)
        # Each client's keys, least recently used first, and their bytes.
        self._held: dict[str, OrderedDict[str, int]] = {}
        self._held_bytes: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._documents)

    def held_by(self, client: str) -> int:
        return self._held_bytes.get(client, 0)

    def get(self, key: str) -> str | None:
        found = self._documents.get(key)
        if found is None:
            return None
        document, client = found
        self._held[client].move_to_end(key)
        return document

    def put(self, key: str, document: str, client: str = "") -> None:
        if key in self._documents:
            self.get(key)
            return
        size = len(document.encode())
        if size > self.client_bytes:
            return
        self._documents[key] = (document, client)
        self._held.setdefault(client, OrderedDict())[key] = size
        self._held_bytes[client] = self.held_by(client) + size
        self.size += size
        while self.held_by(client) > self.client_bytes:
            self._evict(client)
        while self.size > self.max_bytes:
            self._evict(
                max(self._held_bytes, key=lambda held: (self._held_bytes[held], held == client))
            )

    def _evict(self, client: str) -> None:
        """Drop the client's least recently used document."""
        held = self._held[client]
        key, size = held.popitem(last=False)
        del self._documents[key]
        self.size -= size
        self._held_bytes[client] -= size
        if not held:
            del self._held[client], self._held_bytes[client]


class TrustedDocuments:
    """The allow-list: a manifest of {"sha256:<hex>" or "<hex>": document}."""

    def __init__(self, manifest: dict[str, str]) -> None:
        self.by_hash: dict[str, str] = {}
        for key, document in manifest.items():
            match = _SHA256.fullmatch(key)
            if match is None or not isinstance(document, str):
                raise ValueError(f"Not a SHA-256 manifest entry: {excerpt(key)!r}")
            self.by_hash[match[1].lower()] = document
        self.texts = set(self.by_hash.values())

    @classmethod
    def load(cls, setting: str) -> "TrustedDocuments":
        """The manifest a TRUSTED_DOCUMENTS value names: a path, or `true` for ours."""
        on = setting.strip().lower() in ("1", "true", "yes", "on")
        path = COMMITTED_MANIFEST if on else Path(setting)
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError(f"{path}: a manifest is a JSON object of hash to document")
        return cls(manifest)

    def document(self, query: object, key: str | None) -> str:
        if key is not None:
            document = self.by_hash.get(key)
            if document is None:
                raise _not_trusted(f"no trusted document has the hash {key}.")
            if isinstance(query, str) and query != document and sha256(query) != key:
                raise _mismatch()
            return document
        if isinstance(query, str) and query not in self.texts:
            raise _not_trusted("send a trusted document's hash or its exact text.")
        return query  # type: ignore[return-value]  # request_parameters refuses a non-string


def _not_trusted(detail: str) -> Refusal:
    return Refusal(
        OPERATION_NOT_TRUSTED,
        f"This server runs only its trusted documents (TRUSTED_DOCUMENTS): {detail}",
    )


def _mismatch() -> Refusal:
    return Refusal(
        PERSISTED_QUERY_HASH_MISMATCH,
        "extensions.persistedQuery.sha256Hash is not the SHA-256 of the document sent.",
    )


def _bad(reason: str) -> Refusal:
    return Refusal(BadUserInput.code, reason)


def requested_hash(data: dict[str, Any]) -> str | None:
    """The lowercase hex hash a request names its document by, if any."""
    extensions = data.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    document_id = data.get("documentId")
    if persisted is None and document_id is None:
        return None
    if persisted is not None:
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            raise _bad("extensions.persistedQuery must be {version: 1, sha256Hash}.")
        value = persisted.get("sha256Hash")
    else:
        value = document_id
    match = _SHA256.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise _bad("A persisted document's hash is 64 hexadecimal digits (SHA-256).")
    return match[1].lower()


class PersistedOperations:
    """What the endpoint asks: the document a request stands for, and what to remember."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = DocumentStore(settings.apq_cache_bytes, settings.apq_client_bytes)
        off = settings.trusted_documents.strip().lower() in ("", "0", "false", "no", "off")
        self.trusted = None if off else TrustedDocuments.load(settings.trusted_documents)

    def resolve(self, data: object) -> object:
        """The request parameters `data`, with `query` filled in from its hash."""
        if not isinstance(data, dict):
            return data  # not a request: web.http.request_parameters refuses it
        key = requested_hash(data)
        query = data.get("query")
        data = {name: value for name, value in data.items() if name != "documentId"}
        if self.trusted is not None:
            return {**data, "query": self.trusted.document(query, key)}
        if key is None:
            return data
        if self.store.max_bytes <= 0:
            raise Refusal(PERSISTED_QUERY_NOT_SUPPORTED, "PersistedQueryNotSupported")
        if query is None:
            stored = self.store.get(key)
            APQ.labels("miss" if stored is None else "hit").inc()
            if stored is None:
                raise Refusal(PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
            return {**data, "query": stored}
        if isinstance(query, str) and sha256(query) != key:
            raise _mismatch()
        return data

    def remember(self, data: GraphQLRequestData, result: ExecutionResult, request: Request) -> None:
        """Store an APQ document sent with its hash, once it parsed and validated, as its
        client's (`client_of`)."""
        if self.trusted is not None or isinstance(result, PreExecutionError):
            return
        key = requested_hash({"extensions": data.extensions})
        if key is not None and data.query:
            self.store.put(key, data.query, client_of(request, self.settings))


def client_of(request: Request, settings: Settings) -> str:
    """Who registers a document: the token's user, or the address without a valid token."""
    try:
        return f"user:{user_id_from_authorization(request.headers.get('authorization'), settings)}"
    except Unauthenticated:
        return f"address:{request.client.host if request.client else ''}"
