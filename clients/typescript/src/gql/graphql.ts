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

export type ChatViewQueryVariables = Exact<{
  agentId: string | number;
  sessionId: string | number;
  last: number;
  before?: string | null | undefined;
}>;


export type ChatViewQuery = { __typename: 'Query', agent: { __typename: 'Agent', id: string, session: { __typename: 'Session', id: string, title: string, displayName: string, kind: SessionKind, unreadCount: number, messages: { __typename: 'MessageConnection', count: { __typename: 'Count', count: number, precision: CountPrecision }, pageInfo: { __typename: 'PageInfo', hasPreviousPage: boolean, startCursor: string | null }, nodes: Array<{ __typename: 'Message', id: string, role: MessageRole, createdAt: string | null, senderName: string | null, runtimeError: { __typename: 'RuntimeError', code: string, message: string, traceId: string | null } | null, parts: Array<
            | { __typename: 'TextPart', text: string }
            | { __typename: 'ToolCallPart', toolCall: { __typename: 'ToolCall', callId: string, name: string, args: unknown, status: string, result: unknown, thinking: string } }
          > }> } } | null } | null };

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
}`, {"hash":"sha256:3d22fea72439a1c596e6e8e67497ca33a6c8032028b4ad5c392b4cbb557aaef2"}) as unknown as TypedDocumentString<ChatViewQuery, ChatViewQueryVariables>;
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