"""GraphiQL for browsers: its page, and its scripts and styles served by this server.

The set-up (`npm ci`) installs pinned graphiql, react and react-dom into node_modules/, so
GraphiQL works without internet access. GRAPHIQL_CDN=true loads the same files from unpkg
instead; so does a server whose node_modules/ lacks them, with a warning at start-up.
graphiql 4.1 is the newest release that ships a build browsers load without a bundler.
"""

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from settings import Settings

logger = logging.getLogger("chat_api")

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
LOCAL_BASE = "/graphiql/"
CDN_BASE = "https://unpkg.com/"
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    file: str
    integrity: str
    """Subresource integrity of the file, so a browser rejects a CDN copy that differs."""

    @property
    def key(self) -> str:
        """The path after the base URL, the same locally and on unpkg."""
        return f"{self.package}@{self.version}/{self.file}"

    @property
    def path(self) -> Path:
        return NODE_MODULES / self.package / self.file


REACT = Asset(
    "react",
    "18.3.1",
    "umd/react.production.min.js",
    "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
)
REACT_DOM = Asset(
    "react-dom",
    "18.3.1",
    "umd/react-dom.production.min.js",
    "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
)
GRAPHIQL_JS = Asset(
    "graphiql",
    "4.1.2",
    "graphiql.min.js",
    "sha384-9XdHu7ajgGJziD4J1zNBKQ842Q/+zZfDv+ib1eMhZWBH6hPAs806x+Jbcf0yNO6B",
)
GRAPHIQL_CSS = Asset(
    "graphiql",
    "4.1.2",
    "graphiql.min.css",
    "sha384-1el1QShFBnnXTx9x/Cprg82hZWKt0ry29OAYIXt05swbi0KcZDFoj0CWguMpopJr",
)
ASSETS = {asset.key: asset for asset in (REACT, REACT_DOM, GRAPHIQL_JS, GRAPHIQL_CSS)}

DEFAULT_QUERY = """\
# Queries need a bearer token. Enter it under Headers:
#   {"Authorization": "Bearer <token>"}
# `make run` prints one for ada;
# `python server.py token USERNAME` makes more.
# Run: Ctrl-Enter. Complete: Ctrl-Space. Docs: the book icon.

{
  viewer {
    displayName
    role
  }
  # The demo agent Atlas: your own chats with it, newest first.
  agent(id: "213e7fbf-acee-5418-9a1a-500f18d6800a") {
    name
    viewerAccess
    unreadCount
    sessions(scope: MINE, first: 10) {
      count {
        count
        precision
      }
      nodes {
        id
        title
        kind
        isPrimary
        unreadCount
        lastMessageAt
        # The agent at work in this chat, if it is. Cleo's (`python server.py token
        # cleo`) waits on her; Subscription.runEvents follows it live.
        activeRun {
          status
          canCancel
          waiting { type reason }
          pendingToolReconciliations { toolName canReconcile }
        }
      }
    }
  }
}
"""


PAGE = Template("""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>GraphiQL · chat sessions API</title>
    <link rel="icon" href="data:," />
    <style>
      body { margin: 0; height: 100vh; overflow: hidden; }
      #graphiql { height: 100vh; }
    </style>
    $styles
    $scripts
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script>
      // Subscriptions go over WebSocket (graphql-transport-ws, bundled in GraphiQL), with
      // the Headers tab as connection_init's payload.
      const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
      const fetcher = GraphiQL.createFetcher({
        url: window.location.pathname,
        subscriptionUrl: `$${scheme}//$${window.location.host}$${window.location.pathname}`,
      });
      ReactDOM.createRoot(document.getElementById("graphiql")).render(
        React.createElement(GraphiQL, {
          fetcher,
          defaultQuery: $default_query,
          defaultEditorToolsVisibility: "headers",
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        }),
      );
    </script>
  </body>
</html>
""")


@functools.cache
def local_assets_missing() -> tuple[str, ...]:
    return tuple(key for key, asset in ASSETS.items() if not asset.path.is_file())


def uses_cdn(settings: Settings) -> bool:
    return settings.graphiql_cdn or bool(local_assets_missing())


@functools.cache
def graphiql_page(cdn: bool) -> str:
    base = CDN_BASE if cdn else LOCAL_BASE

    def attributes(asset: Asset) -> str:
        # Subresource integrity needs CORS, which only the CDN copy goes through.
        return f' integrity="{asset.integrity}" crossorigin="anonymous"' if cdn else ""

    css = GRAPHIQL_CSS
    return PAGE.substitute(
        styles=f'<link rel="stylesheet" href="{base}{css.key}"{attributes(css)} />',
        scripts="\n    ".join(
            f'<script src="{base}{asset.key}"{attributes(asset)}></script>'
            for asset in (REACT, REACT_DOM, GRAPHIQL_JS)
        ),
        # Inside <script>, "<" is escaped so no text can close the element.
        default_query=json.dumps(DEFAULT_QUERY).replace("<", "\\u003c"),
    )


async def graphiql_asset(request: Request) -> Response:
    asset = ASSETS.get(request.path_params["key"])
    if asset is None:
        return PlainTextResponse("Not Found", status_code=404)
    # The URL names the version, so the file behind it never changes.
    return FileResponse(asset.path, headers={"Cache-Control": IMMUTABLE})


def graphiql_routes(settings: Settings) -> list[Route]:
    """The routes serving GraphiQL's files, when this server serves them itself."""
    if not settings.graphiql or settings.graphiql_cdn:
        return []
    if missing := local_assets_missing():
        logger.warning(
            "GraphiQL loads from %s: node_modules/ lacks %s (run `npm ci`).",
            CDN_BASE,
            ", ".join(missing),
        )
        return []
    return [Route(LOCAL_BASE + "{key:path}", graphiql_asset, methods=["GET"])]
