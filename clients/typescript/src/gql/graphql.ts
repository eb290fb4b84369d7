/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Whether a Count is exact. */
export type CountPrecision =
  /** There are more than `count`; counting stopped at the limit. */
  | 'AT_LEAST'
  /** The count is exact. */
  | 'EXACT';

/** Who wrote a message. */
export type MessageRole =
  /** The agent's reply. */
  | 'ASSISTANT'
  /** A notice from the platform. */
  | 'SYSTEM'
  /** A tool the agent called, and its result (see Message.toolCall). */
  | 'TOOL_CALL'
  /** The person (or peer agent) talking to the agent. */
  | 'USER';

/** Who the agent talks with in a session. */
export type ParticipantType =
  /** Another agent (an agent-to-agent session). */
  | 'AGENT'
  /** A group chat. */
  | 'GROUP'
  /** A person, one to one. */
  | 'USER';

/** Which change of a run's state an event records. */
export type RunLifecycleEvent =
  /** The run was cancelled. */
  | 'CANCELLED'
  /** The run finished. */
  | 'COMPLETED'
  /** The run was queued. */
  | 'CREATED'
  /** The run failed. */
  | 'FAILED'
  /** The run resumed after a wait. */
  | 'RESUMED'
  /** The run's status changed (see runStatus). */
  | 'STATUS_CHANGED'
  /** The run began to wait (see waiting). */
  | 'WAITING_STARTED';

/** Where a run stands, derived from its events. */
export type RunStatus =
  /** The run was cancelled. */
  | 'CANCELLED'
  /** The run finished. */
  | 'COMPLETED'
  /** The run failed (see Run.errorCode). */
  | 'FAILED'
  /** Waiting for the session's lane: another run holds it. */
  | 'QUEUED'
  /** The agent is at work. */
  | 'RUNNING'
  /** The agent waits for the user (see Run.waiting). */
  | 'WAITING_USER';

/** Whether a tool call is still running. */
export type RunToolCallStatus =
  /** The tool returned (see result). */
  | 'DONE'
  /** The tool was called; no result yet. */
  | 'RUNNING';

/** What kind of conversation a session is. */
export type SessionKind =
  /** A conversation between two agents. */
  | 'AGENT_TO_AGENT'
  /** A user's one-to-one chat with the agent. */
  | 'DIRECT'
  /** A group chat the agent takes part in. */
  | 'GROUP'
  /** A session started by a trigger. */
  | 'TRIGGER';

/** Which of an agent's sessions a list holds. */
export type SessionScope =
  /** Every session of this agent in the viewer's tenant that holds a message and is not deleted, plus agent-to-agent sessions in which this agent is the peer. */
  | 'ALL'
  /** The viewer's own direct sessions with this agent (kind DIRECT, not deleted) that hold at least one message, from whichever side. */
  | 'MINE';

/** A user's role on the platform, from the most powerful down. */
export type UserRole =
  /** Administers agents; sees every session of an agent it can use. */
  | 'AGENT_ADMIN'
  /** An ordinary member of the tenant. */
  | 'MEMBER'
  /** Administers the user's tenant (organisation). */
  | 'ORG_ADMIN'
  /** Administers the whole platform. */
  | 'PLATFORM_ADMIN';

export type CancelRunMutationVariables = Exact<{
  runId: string | number;
}>;


export type CancelRunMutation = { __typename: 'Mutation', cancelRun:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Run', id: string, status: RunStatus, canCancel: boolean, canResume: boolean, waiting: { __typename: 'RunWaiting', type: string, reason: string | null, correlationId: string | null } | null }
    | { __typename: 'ValidationError', message: string, field: string }
   };

export type ChatActivitySubscriptionVariables = Exact<{
  sessionId: string | number;
  after?: string | null | undefined;
}>;


export type ChatActivitySubscription = { runEvents:
    | { __typename: 'RunDelivery', failed: boolean, errorCode: string | null, id: string, runId: string, cursor: string, createdAt: string, message: { __typename: 'Message', id: string, role: MessageRole, createdAt: string | null, senderName: string | null, runtimeError: { __typename: 'RuntimeError', code: string, message: string, traceId: string | null } | null, parts: Array<
          | { __typename: 'TextPart', text: string }
          | { __typename: 'ToolCallPart', toolCall: { __typename: 'ToolCall', callId: string, name: string, args: unknown, status: string, result: unknown, thinking: string } }
        > } | null }
    | { __typename: 'RunLifecycle', event: RunLifecycleEvent, runStatus: RunStatus, errorCode: string | null, id: string, runId: string, cursor: string, createdAt: string, waiting: { __typename: 'RunWaiting', type: string, reason: string | null } | null }
    | { __typename: 'RunProgress', content: string, id: string, runId: string, cursor: string, createdAt: string }
    | { __typename: 'RunThinking', content: string, id: string, runId: string, cursor: string, createdAt: string }
    | { __typename: 'RunToolCall', callId: string, name: string, args: unknown, status: RunToolCallStatus, result: string, errorCode: string | null, id: string, runId: string, cursor: string, createdAt: string }
   };

export type ActiveRunFragment = { __typename: 'Run', id: string, status: RunStatus, canCancel: boolean, canResume: boolean, waiting: { __typename: 'RunWaiting', type: string, reason: string | null, correlationId: string | null } | null };

export type ChatViewQueryVariables = Exact<{
  agentId: string | number;
  sessionId: string | number;
  last: number;
  before?: string | null | undefined;
}>;


export type ChatViewQuery = { __typename: 'Query', agent: { __typename: 'Agent', id: string, session: { __typename: 'Session', id: string, title: string, displayName: string, kind: SessionKind, unreadCount: number, messages: { __typename: 'MessageConnection', count: { __typename: 'Count', count: number, precision: CountPrecision }, pageInfo: { __typename: 'PageInfo', hasPreviousPage: boolean, startCursor: string | null }, nodes: Array<{ __typename: 'Message', id: string, role: MessageRole, createdAt: string | null, senderName: string | null, runtimeError: { __typename: 'RuntimeError', code: string, message: string, traceId: string | null } | null, parts: Array<
            | { __typename: 'TextPart', text: string }
            | { __typename: 'ToolCallPart', toolCall: { __typename: 'ToolCall', callId: string, name: string, args: unknown, status: string, result: unknown, thinking: string } }
          > }> }, activeRun: { __typename: 'Run', id: string, status: RunStatus, canCancel: boolean, canResume: boolean, waiting: { __typename: 'RunWaiting', type: string, reason: string | null, correlationId: string | null } | null } | null } | null } | null };

export type ChatMessageFragment = { __typename: 'Message', id: string, role: MessageRole, createdAt: string | null, senderName: string | null, runtimeError: { __typename: 'RuntimeError', code: string, message: string, traceId: string | null } | null, parts: Array<
    | { __typename: 'TextPart', text: string }
    | { __typename: 'ToolCallPart', toolCall: { __typename: 'ToolCall', callId: string, name: string, args: unknown, status: string, result: unknown, thinking: string } }
  > };

export type CreateSessionMutationVariables = Exact<{
  agentId: string | number;
  title?: string | null | undefined;
}>;


export type CreateSessionMutation = { __typename: 'Mutation', createSession:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Session', id: string, title: string, displayName: string, kind: SessionKind, participantType: ParticipantType, sourceChannel: string, messageCount: number, unreadCount: number, isPrimary: boolean, createdAt: string, lastMessageAt: string | null }
    | { __typename: 'ValidationError', message: string, field: string }
   };

export type DeleteSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteSessionMutation = { __typename: 'Mutation', deleteSession:
    | { __typename: 'DeletedSession', id: string }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type MarkSessionReadMutationVariables = Exact<{
  id: string | number;
}>;


export type MarkSessionReadMutation = { __typename: 'Mutation', markSessionRead:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Session', id: string, unreadCount: number, lastReadAt: string | null }
   };

export type RenameSessionMutationVariables = Exact<{
  id: string | number;
  title: string;
}>;


export type RenameSessionMutation = { __typename: 'Mutation', renameSession:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Session', id: string, title: string, displayName: string, kind: SessionKind, participantType: ParticipantType, sourceChannel: string, messageCount: number, unreadCount: number, isPrimary: boolean, createdAt: string, lastMessageAt: string | null }
    | { __typename: 'ValidationError', message: string, field: string }
   };

export type SessionListQueryVariables = Exact<{
  agentId: string | number;
  scope: SessionScope;
  first: number;
  after?: string | null | undefined;
}>;


export type SessionListQuery = { __typename: 'Query', agent: { __typename: 'Agent', id: string, name: string, viewerCanSeeAllSessions: boolean, sessions: { __typename: 'SessionConnection', count: { __typename: 'Count', count: number, precision: CountPrecision }, pageInfo: { __typename: 'PageInfo', hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ __typename: 'Session', id: string, title: string, displayName: string, kind: SessionKind, participantType: ParticipantType, sourceChannel: string, messageCount: number, unreadCount: number, isPrimary: boolean, createdAt: string, lastMessageAt: string | null }> } } | null };

export type SessionListItemFragment = { __typename: 'Session', id: string, title: string, displayName: string, kind: SessionKind, participantType: ParticipantType, sourceChannel: string, messageCount: number, unreadCount: number, isPrimary: boolean, createdAt: string, lastMessageAt: string | null };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { __typename: 'Query', viewer: { __typename: 'User', id: string, displayName: string, role: UserRole } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ActiveRunFragmentDoc = new TypedDocumentString(`
    fragment ActiveRun on Run {
  __typename
  id
  status
  canCancel
  canResume
  waiting {
    __typename
    type
    reason
    correlationId
  }
}
    `, {"fragmentName":"ActiveRun"}) as unknown as TypedDocumentString<ActiveRunFragment, unknown>;
export const ChatMessageFragmentDoc = new TypedDocumentString(`
    fragment ChatMessage on Message {
  __typename
  id
  role
  createdAt
  senderName
  runtimeError {
    __typename
    code
    message
    traceId
  }
  parts {
    __typename
    ... on TextPart {
      __typename
      text
    }
    ... on ToolCallPart {
      __typename
      toolCall {
        __typename
        callId
        name
        args
        status
        result
        thinking
      }
    }
  }
}
    `, {"fragmentName":"ChatMessage"}) as unknown as TypedDocumentString<ChatMessageFragment, unknown>;
export const SessionListItemFragmentDoc = new TypedDocumentString(`
    fragment SessionListItem on Session {
  __typename
  id
  title
  displayName
  kind
  participantType
  sourceChannel
  messageCount
  unreadCount
  isPrimary
  createdAt
  lastMessageAt
}
    `, {"fragmentName":"SessionListItem"}) as unknown as TypedDocumentString<SessionListItemFragment, unknown>;
export const CancelRunDocument = new TypedDocumentString(`
    mutation CancelRun($runId: ID!) {
  __typename
  cancelRun(runId: $runId) {
    __typename
    ... on Run {
      __typename
      ...ActiveRun
    }
    ... on NotFoundError {
      __typename
      message
    }
    ... on ForbiddenError {
      __typename
      message
    }
    ... on ValidationError {
      __typename
      message
      field
    }
  }
}
    fragment ActiveRun on Run {
  __typename
  id
  status
  canCancel
  canResume
  waiting {
    __typename
    type
    reason
    correlationId
  }
}`, {"hash":"sha256:95096733dde75ba1637dc455fef6fc1488a20ce4699515d7ebca3950a691de14"}) as unknown as TypedDocumentString<CancelRunMutation, CancelRunMutationVariables>;
export const ChatActivityDocument = new TypedDocumentString(`
    subscription ChatActivity($sessionId: ID!, $after: String) {
  runEvents(sessionId: $sessionId, after: $after) {
    __typename
    id
    runId
    cursor
    createdAt
    ... on RunThinking {
      __typename
      content
    }
    ... on RunProgress {
      __typename
      content
    }
    ... on RunToolCall {
      __typename
      callId
      name
      args
      status
      result
      errorCode
    }
    ... on RunLifecycle {
      __typename
      event
      runStatus
      errorCode
      waiting {
        __typename
        type
        reason
      }
    }
    ... on RunDelivery {
      __typename
      failed
      errorCode
      message {
        __typename
        ...ChatMessage
      }
    }
  }
}
    fragment ChatMessage on Message {
  __typename
  id
  role
  createdAt
  senderName
  runtimeError {
    __typename
    code
    message
    traceId
  }
  parts {
    __typename
    ... on TextPart {
      __typename
      text
    }
    ... on ToolCallPart {
      __typename
      toolCall {
        __typename
        callId
        name
        args
        status
        result
        thinking
      }
    }
  }
}`, {"hash":"sha256:290d3b80482332a71006911a3efbabd3a4b99365b802b58db498976fe50a4a09"}) as unknown as TypedDocumentString<ChatActivitySubscription, ChatActivitySubscriptionVariables>;
export const ChatViewDocument = new TypedDocumentString(`
    query ChatView($agentId: ID!, $sessionId: ID!, $last: Int!, $before: String) {
  __typename
  agent(id: $agentId) {
    __typename
    id
    session(id: $sessionId) {
      __typename
      id
      title
      displayName
      kind
      unreadCount
      messages(last: $last, before: $before) {
        __typename
        count {
          __typename
          count
          precision
        }
        pageInfo {
          __typename
          hasPreviousPage
          startCursor
        }
        nodes {
          __typename
          ...ChatMessage
        }
      }
      activeRun {
        __typename
        ...ActiveRun
      }
    }
  }
}
    fragment ActiveRun on Run {
  __typename
  id
  status
  canCancel
  canResume
  waiting {
    __typename
    type
    reason
    correlationId
  }
}
fragment ChatMessage on Message {
  __typename
  id
  role
  createdAt
  senderName
  runtimeError {
    __typename
    code
    message
    traceId
  }
  parts {
    __typename
    ... on TextPart {
      __typename
      text
    }
    ... on ToolCallPart {
      __typename
      toolCall {
        __typename
        callId
        name
        args
        status
        result
        thinking
      }
    }
  }
}`, {"hash":"sha256:c9ea71ba1de50bfe86bfb6b442b01b3494097ba530e6b322447b9ce86badff94"}) as unknown as TypedDocumentString<ChatViewQuery, ChatViewQueryVariables>;
export const CreateSessionDocument = new TypedDocumentString(`
    mutation CreateSession($agentId: ID!, $title: String) {
  __typename
  createSession(agentId: $agentId, title: $title) {
    __typename
    ... on Session {
      __typename
      ...SessionListItem
    }
    ... on Error {
      __typename
      message
    }
    ... on ValidationError {
      __typename
      field
    }
  }
}
    fragment SessionListItem on Session {
  __typename
  id
  title
  displayName
  kind
  participantType
  sourceChannel
  messageCount
  unreadCount
  isPrimary
  createdAt
  lastMessageAt
}`, {"hash":"sha256:7166a082811b959e67d7d776e3891706644d795e2e5976e9dc9d56224a7be5b5"}) as unknown as TypedDocumentString<CreateSessionMutation, CreateSessionMutationVariables>;
export const DeleteSessionDocument = new TypedDocumentString(`
    mutation DeleteSession($id: ID!) {
  __typename
  deleteSession(id: $id) {
    __typename
    ... on DeletedSession {
      __typename
      id
    }
    ... on Error {
      __typename
      message
    }
  }
}
    `, {"hash":"sha256:681ff7734d3c7e808e42b241f7898edbe72e71b2236cf11d06351b615d019f5e"}) as unknown as TypedDocumentString<DeleteSessionMutation, DeleteSessionMutationVariables>;
export const MarkSessionReadDocument = new TypedDocumentString(`
    mutation MarkSessionRead($id: ID!) {
  __typename
  markSessionRead(id: $id) {
    __typename
    ... on Session {
      __typename
      id
      unreadCount
      lastReadAt
    }
    ... on Error {
      __typename
      message
    }
  }
}
    `, {"hash":"sha256:680af29d0799754df887373328e8d297500bc50e00638bf7c5962db8d52857bb"}) as unknown as TypedDocumentString<MarkSessionReadMutation, MarkSessionReadMutationVariables>;
export const RenameSessionDocument = new TypedDocumentString(`
    mutation RenameSession($id: ID!, $title: String!) {
  __typename
  renameSession(id: $id, title: $title) {
    __typename
    ... on Session {
      __typename
      ...SessionListItem
    }
    ... on Error {
      __typename
      message
    }
    ... on ValidationError {
      __typename
      field
    }
  }
}
    fragment SessionListItem on Session {
  __typename
  id
  title
  displayName
  kind
  participantType
  sourceChannel
  messageCount
  unreadCount
  isPrimary
  createdAt
  lastMessageAt
}`, {"hash":"sha256:ba43ea4276284078236b01fd679efc10d76840742ba357535f5c41033d187957"}) as unknown as TypedDocumentString<RenameSessionMutation, RenameSessionMutationVariables>;
export const SessionListDocument = new TypedDocumentString(`
    query SessionList($agentId: ID!, $scope: SessionScope!, $first: Int!, $after: String) {
  __typename
  agent(id: $agentId) {
    __typename
    id
    name
    viewerCanSeeAllSessions
    sessions(scope: $scope, first: $first, after: $after) {
      __typename
      count {
        __typename
        count
        precision
      }
      pageInfo {
        __typename
        hasNextPage
        endCursor
      }
      nodes {
        __typename
        ...SessionListItem
      }
    }
  }
}
    fragment SessionListItem on Session {
  __typename
  id
  title
  displayName
  kind
  participantType
  sourceChannel
  messageCount
  unreadCount
  isPrimary
  createdAt
  lastMessageAt
}`, {"hash":"sha256:939006195a04a4b20bf829081ab68ff3561efeb8993dc183c3d23e92f6d55015"}) as unknown as TypedDocumentString<SessionListQuery, SessionListQueryVariables>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  __typename
  viewer {
    __typename
    id
    displayName
    role
  }
}
    `, {"hash":"sha256:a57d7776d61a4d0e7529634cb862975f644e5d3ec7f75eaa50a7908fc8616e2d"}) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;