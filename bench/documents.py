"""The GraphQL documents the benchmark sends: what a chat frontend asks for."""

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
