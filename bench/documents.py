"""The GraphQL documents the benchmark sends: what a chat frontend asks for."""

from pathlib import Path

from graphql import DocumentNode, FragmentDefinitionNode, FragmentSpreadNode, parse, print_ast
from graphql.language import Visitor, visit

SHIPPED = Path(__file__).resolve().parent.parent / "clients" / "operations"


def _spreads(node: object) -> set[str]:
    found: set[str] = set()

    class Spreads(Visitor):
        def enter_fragment_spread(self, spread: FragmentSpreadNode, *_: object) -> None:
            found.add(spread.name.value)

    visit(node, Spreads())  # type: ignore[arg-type]
    return found


def shipped(name: str) -> str:
    """A shipped operation (clients/operations/NAME.graphql) with every fragment it spreads,
    wherever defined, as the generated clients send it."""
    fragments = {
        definition.name.value: definition
        for path in SHIPPED.glob("*.graphql")
        for definition in parse(path.read_text()).definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    document = parse((SHIPPED / f"{name}.graphql").read_text())
    own = [d for d in document.definitions if not isinstance(d, FragmentDefinitionNode)]
    wanted: set[str] = set()
    todo = _spreads(document)
    while todo:
        wanted |= todo
        todo = set().union(*(_spreads(fragments[f]) for f in todo)) - wanted
    return print_ast(DocumentNode(definitions=(*own, *(fragments[f] for f in sorted(wanted)))))


SESSION_FIELDS = """
      id title displayName sourceChannel participantType peerAgentName isGroup
      kind isPrimary unreadCount lastMessageAt messageCount
      user { id displayName }
"""

SESSION_LIST = f"""
query SessionList($agent: ID!, $scope: SessionScope!, $first: Int!, $after: String) {{
  agent(id: $agent) {{
    id name viewerAccess viewerCanSeeAllSessions
    sessions(scope: $scope, first: $first, after: $after) {{
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {SESSION_FIELDS} }}
    }}
  }}
}}
"""

SESSION_LIST_WITH_TOTAL = f"""
query SessionListWithTotal($agent: ID!, $scope: SessionScope!, $first: Int!, $after: String) {{
  agent(id: $agent) {{
    id name viewerAccess viewerCanSeeAllSessions
    sessions(scope: $scope, first: $first, after: $after) {{
      totalCount
      pageInfo {{ hasNextPage endCursor }}
      nodes {{ {SESSION_FIELDS} }}
    }}
  }}
}}
"""

CHAT_VIEW = """
query ChatView($agent: ID!, $session: ID!, $last: Int!, $before: String) {
  agent(id: $agent) {
    session(id: $session) {
      id title displayName participantType
      messages(last: $last, before: $before) {
        totalCount
        pageInfo { hasPreviousPage startCursor }
        nodes {
          id role content thinking createdAt senderName
          toolCall { name args status result }
          parts {
            __typename
            ... on TextPart { text }
            ... on ToolCallPart { toolCall { name args status result } }
          }
        }
      }
    }
  }
}
"""

CREATE_SESSION = """
mutation CreateSession($agent: ID!, $title: String) {
  createSession(agentId: $agent, title: $title) {
    __typename
    ... on Session { id title }
    ... on Error { message }
  }
}
"""

RENAME_SESSION = """
mutation RenameSession($id: ID!, $title: String!) {
  renameSession(id: $id, title: $title) {
    __typename
    ... on Session { id title }
    ... on Error { message }
  }
}
"""

VIEWER = "query Viewer { viewer { id } }"

TYPENAME = "query Typename { __typename }"

AGENT_NAME = """
query AgentName($agent: ID!) {
  agent(id: $agent) { name }
}
"""

DELETE_SESSION = """
mutation DeleteSession($id: ID!) {
  deleteSession(id: $id) {
    __typename
    ... on DeletedSession { id }
    ... on Error { message }
  }
}
"""
