/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CancelRun($runId: ID!) {\n  cancelRun(runId: $runId) {\n    __typename\n    ... on Run {\n      ...ActiveRun\n    }\n    ... on NotFoundError {\n      message\n    }\n    ... on ForbiddenError {\n      message\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": typeof types.CancelRunDocument,
    "subscription ChatActivity($sessionId: ID!, $after: String) {\n  runEvents(sessionId: $sessionId, after: $after) {\n    __typename\n    id\n    runId\n    cursor\n    createdAt\n    ... on RunThinking {\n      content\n    }\n    ... on RunProgress {\n      content\n    }\n    ... on RunToolCall {\n      callId\n      name\n      args\n      status\n      result\n      errorCode\n    }\n    ... on RunLifecycle {\n      event\n      runStatus\n      errorCode\n      waiting {\n        type\n        reason\n      }\n    }\n    ... on RunDelivery {\n      failed\n      errorCode\n      message {\n        ...ChatMessage\n      }\n    }\n  }\n}\n\nfragment ActiveRun on Run {\n  id\n  status\n  canCancel\n  canResume\n  waiting {\n    type\n    reason\n    correlationId\n  }\n}": typeof types.ChatActivityDocument,
    "query ChatView($agentId: ID!, $sessionId: ID!, $last: Int!, $before: String) {\n  agent(id: $agentId) {\n    id\n    session(id: $sessionId) {\n      id\n      title\n      displayName\n      kind\n      unreadCount\n      messages(last: $last, before: $before) {\n        count {\n          count\n          precision\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n        nodes {\n          ...ChatMessage\n        }\n      }\n      activeRun {\n        ...ActiveRun\n      }\n    }\n  }\n}\n\nfragment ChatMessage on Message {\n  id\n  role\n  createdAt\n  senderName\n  runtimeError {\n    code\n    message\n    traceId\n  }\n  parts {\n    __typename\n    ... on TextPart {\n      text\n    }\n    ... on ToolCallPart {\n      toolCall {\n        callId\n        name\n        args\n        status\n        result\n        thinking\n      }\n    }\n  }\n}": typeof types.ChatViewDocument,
    "mutation CreateSession($agentId: ID!, $title: String) {\n  createSession(agentId: $agentId, title: $title) {\n    __typename\n    ... on Session {\n      ...SessionListItem\n    }\n    ... on Error {\n      message\n    }\n    ... on ValidationError {\n      field\n    }\n  }\n}": typeof types.CreateSessionDocument,
    "mutation DeleteSession($id: ID!) {\n  deleteSession(id: $id) {\n    __typename\n    ... on DeletedSession {\n      id\n    }\n    ... on Error {\n      message\n    }\n  }\n}": typeof types.DeleteSessionDocument,
    "mutation MarkSessionRead($id: ID!) {\n  markSessionRead(id: $id) {\n    __typename\n    ... on Session {\n      id\n      unreadCount\n      lastReadAt\n    }\n    ... on Error {\n      message\n    }\n  }\n}": typeof types.MarkSessionReadDocument,
    "mutation RenameSession($id: ID!, $title: String!) {\n  renameSession(id: $id, title: $title) {\n    __typename\n    ... on Session {\n      ...SessionListItem\n    }\n    ... on Error {\n      message\n    }\n    ... on ValidationError {\n      field\n    }\n  }\n}": typeof types.RenameSessionDocument,
    "query SessionList($agentId: ID!, $scope: SessionScope!, $first: Int!, $after: String) {\n  agent(id: $agentId) {\n    id\n    name\n    viewerCanSeeAllSessions\n    sessions(scope: $scope, first: $first, after: $after) {\n      count {\n        count\n        precision\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SessionListItem\n      }\n    }\n  }\n}\n\nfragment SessionListItem on Session {\n  id\n  title\n  displayName\n  kind\n  participantType\n  sourceChannel\n  messageCount\n  unreadCount\n  isPrimary\n  createdAt\n  lastMessageAt\n}": typeof types.SessionListDocument,
    "query Viewer {\n  viewer {\n    id\n    displayName\n    role\n  }\n}": typeof types.ViewerDocument,
};
const documents: Documents = {
    "mutation CancelRun($runId: ID!) {\n  cancelRun(runId: $runId) {\n    __typename\n    ... on Run {\n      ...ActiveRun\n    }\n    ... on NotFoundError {\n      message\n    }\n    ... on ForbiddenError {\n      message\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}": types.CancelRunDocument,
    "subscription ChatActivity($sessionId: ID!, $after: String) {\n  runEvents(sessionId: $sessionId, after: $after) {\n    __typename\n    id\n    runId\n    cursor\n    createdAt\n    ... on RunThinking {\n      content\n    }\n    ... on RunProgress {\n      content\n    }\n    ... on RunToolCall {\n      callId\n      name\n      args\n      status\n      result\n      errorCode\n    }\n    ... on RunLifecycle {\n      event\n      runStatus\n      errorCode\n      waiting {\n        type\n        reason\n      }\n    }\n    ... on RunDelivery {\n      failed\n      errorCode\n      message {\n        ...ChatMessage\n      }\n    }\n  }\n}\n\nfragment ActiveRun on Run {\n  id\n  status\n  canCancel\n  canResume\n  waiting {\n    type\n    reason\n    correlationId\n  }\n}": types.ChatActivityDocument,
    "query ChatView($agentId: ID!, $sessionId: ID!, $last: Int!, $before: String) {\n  agent(id: $agentId) {\n    id\n    session(id: $sessionId) {\n      id\n      title\n      displayName\n      kind\n      unreadCount\n      messages(last: $last, before: $before) {\n        count {\n          count\n          precision\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n        nodes {\n          ...ChatMessage\n        }\n      }\n      activeRun {\n        ...ActiveRun\n      }\n    }\n  }\n}\n\nfragment ChatMessage on Message {\n  id\n  role\n  createdAt\n  senderName\n  runtimeError {\n    code\n    message\n    traceId\n  }\n  parts {\n    __typename\n    ... on TextPart {\n      text\n    }\n    ... on ToolCallPart {\n      toolCall {\n        callId\n        name\n        args\n        status\n        result\n        thinking\n      }\n    }\n  }\n}": types.ChatViewDocument,
    "mutation CreateSession($agentId: ID!, $title: String) {\n  createSession(agentId: $agentId, title: $title) {\n    __typename\n    ... on Session {\n      ...SessionListItem\n    }\n    ... on Error {\n      message\n    }\n    ... on ValidationError {\n      field\n    }\n  }\n}": types.CreateSessionDocument,
    "mutation DeleteSession($id: ID!) {\n  deleteSession(id: $id) {\n    __typename\n    ... on DeletedSession {\n      id\n    }\n    ... on Error {\n      message\n    }\n  }\n}": types.DeleteSessionDocument,
    "mutation MarkSessionRead($id: ID!) {\n  markSessionRead(id: $id) {\n    __typename\n    ... on Session {\n      id\n      unreadCount\n      lastReadAt\n    }\n    ... on Error {\n      message\n    }\n  }\n}": types.MarkSessionReadDocument,
    "mutation RenameSession($id: ID!, $title: String!) {\n  renameSession(id: $id, title: $title) {\n    __typename\n    ... on Session {\n      ...SessionListItem\n    }\n    ... on Error {\n      message\n    }\n    ... on ValidationError {\n      field\n    }\n  }\n}": types.RenameSessionDocument,
    "query SessionList($agentId: ID!, $scope: SessionScope!, $first: Int!, $after: String) {\n  agent(id: $agentId) {\n    id\n    name\n    viewerCanSeeAllSessions\n    sessions(scope: $scope, first: $first, after: $after) {\n      count {\n        count\n        precision\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SessionListItem\n      }\n    }\n  }\n}\n\nfragment SessionListItem on Session {\n  id\n  title\n  displayName\n  kind\n  participantType\n  sourceChannel\n  messageCount\n  unreadCount\n  isPrimary\n  createdAt\n  lastMessageAt\n}": types.SessionListDocument,
    "query Viewer {\n  viewer {\n    id\n    displayName\n    role\n  }\n}": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CancelRun($runId: ID!) {\n  cancelRun(runId: $runId) {\n    __typename\n    ... on Run {\n      ...ActiveRun\n    }\n    ... on NotFoundError {\n      message\n    }\n    ... on ForbiddenError {\n      message\n    }\n    ... on ValidationError {\n      message\n      field\n    }\n  }\n}"): typeof import('./graphql').CancelRunDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription ChatActivity($sessionId: ID!, $after: String) {\n  runEvents(sessionId: $sessionId, after: $after) {\n    __typename\n    id\n    runId\n    cursor\n    createdAt\n    ... on RunThinking {\n      content\n    }\n    ... on RunProgress {\n      content\n    }\n    ... on RunToolCall {\n      callId\n      name\n      args\n      status\n      result\n      errorCode\n    }\n    ... on RunLifecycle {\n      event\n      runStatus\n      errorCode\n      waiting {\n        type\n        reason\n      }\n    }\n    ... on RunDelivery {\n      failed\n      errorCode\n      message {\n        ...ChatMessage\n      }\n    }\n  }\n}\n\nfragment ActiveRun on Run {\n  id\n  status\n  canCancel\n  canResume\n  waiting {\n    type\n    reason\n    correlationId\n  }\n}"): typeof import('./graphql').ChatActivityDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ChatView($agentId: ID!, $sessionId: ID!, $last: Int!, $before: String) {\n  agent(id: $agentId) {\n    id\n    session(id: $sessionId) {\n      id\n      title\n      displayName\n      kind\n      unreadCount\n      messages(last: $last, before: $before) {\n        count {\n          count\n          precision\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n        nodes {\n          ...ChatMessage\n        }\n      }\n      activeRun {\n        ...ActiveRun\n      }\n    }\n  }\n}\n\nfragment ChatMessage on Message {\n  id\n  role\n  createdAt\n  senderName\n  runtimeError {\n    code\n    message\n    traceId\n  }\n  parts {\n    __typename\n    ... on TextPart {\n      text\n    }\n    ... on ToolCallPart {\n      toolCall {\n        callId\n        name\n        args\n        status\n        result\n        thinking\n      }\n    }\n  }\n}"): typeof import('./graphql').ChatViewDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateSession($agentId: ID!, $title: String) {\n  createSession(agentId: $agentId, title: $title) {\n    __typename\n    ... on Session {\n      ...SessionListItem\n    }\n    ... on Error {\n      message\n    }\n    ... on ValidationError {\n      field\n    }\n  }\n}"): typeof import('./graphql').CreateSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteSession($id: ID!) {\n  deleteSession(id: $id) {\n    __typename\n    ... on DeletedSession {\n      id\n    }\n    ... on Error {\n      message\n    }\n  }\n}"): typeof import('./graphql').DeleteSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation MarkSessionRead($id: ID!) {\n  markSessionRead(id: $id) {\n    __typename\n    ... on Session {\n      id\n      unreadCount\n      lastReadAt\n    }\n    ... on Error {\n      message\n    }\n  }\n}"): typeof import('./graphql').MarkSessionReadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation RenameSession($id: ID!, $title: String!) {\n  renameSession(id: $id, title: $title) {\n    __typename\n    ... on Session {\n      ...SessionListItem\n    }\n    ... on Error {\n      message\n    }\n    ... on ValidationError {\n      field\n    }\n  }\n}"): typeof import('./graphql').RenameSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query SessionList($agentId: ID!, $scope: SessionScope!, $first: Int!, $after: String) {\n  agent(id: $agentId) {\n    id\n    name\n    viewerCanSeeAllSessions\n    sessions(scope: $scope, first: $first, after: $after) {\n      count {\n        count\n        precision\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      nodes {\n        ...SessionListItem\n      }\n    }\n  }\n}\n\nfragment SessionListItem on Session {\n  id\n  title\n  displayName\n  kind\n  participantType\n  sourceChannel\n  messageCount\n  unreadCount\n  isPrimary\n  createdAt\n  lastMessageAt\n}"): typeof import('./graphql').SessionListDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    id\n    displayName\n    role\n  }\n}"): typeof import('./graphql').ViewerDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
