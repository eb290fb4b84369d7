/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type MessageRole =
  | 'ASSISTANT'
  | 'SYSTEM'
  | 'TOOL_CALL'
  | 'USER';

export type ParticipantType =
  | 'AGENT'
  | 'GROUP'
  | 'USER';

export type SessionScope =
  | 'ALL'
  | 'MINE';

export type UserRole =
  | 'AGENT_ADMIN'
  | 'MEMBER'
  | 'ORG_ADMIN'
  | 'PLATFORM_ADMIN';

export type ChatViewQueryVariables = Exact<{
  agentId: string | number;
  sessionId: string | number;
  last: number;
  before?: string | null | undefined;
}>;


export type ChatViewQuery = { agent: { id: string, session: { id: string, title: string, displayName: string, messages: { totalCount: number, pageInfo: { hasPreviousPage: boolean, startCursor: string | null }, nodes: Array<{ id: string, role: MessageRole, createdAt: string | null, senderName: string | null, parts: Array<
            | { __typename: 'TextPart', text: string }
            | { __typename: 'ToolCallPart', toolCall: { name: string, args: unknown, status: string, result: unknown } }
          > }> } } | null } | null };

export type ChatMessageFragment = { id: string, role: MessageRole, createdAt: string | null, senderName: string | null, parts: Array<
    | { __typename: 'TextPart', text: string }
    | { __typename: 'ToolCallPart', toolCall: { name: string, args: unknown, status: string, result: unknown } }
  > };

export type CreateSessionMutationVariables = Exact<{
  agentId: string | number;
  title?: string | null | undefined;
}>;


export type CreateSessionMutation = { createSession:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Session', id: string, title: string, displayName: string, participantType: ParticipantType, sourceChannel: string, messageCount: number, createdAt: string, lastMessageAt: string | null }
    | { __typename: 'ValidationError', message: string, field: string }
   };

export type DeleteSessionMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteSessionMutation = { deleteSession:
    | { __typename: 'DeletedSession', id: string }
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
   };

export type RenameSessionMutationVariables = Exact<{
  id: string | number;
  title: string;
}>;


export type RenameSessionMutation = { renameSession:
    | { __typename: 'ForbiddenError', message: string }
    | { __typename: 'NotFoundError', message: string }
    | { __typename: 'Session', id: string, title: string, displayName: string, participantType: ParticipantType, sourceChannel: string, messageCount: number, createdAt: string, lastMessageAt: string | null }
    | { __typename: 'ValidationError', message: string, field: string }
   };

export type SessionListQueryVariables = Exact<{
  agentId: string | number;
  scope: SessionScope;
  first: number;
  after?: string | null | undefined;
}>;


export type SessionListQuery = { agent: { id: string, name: string, viewerCanSeeAllSessions: boolean, sessions: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, nodes: Array<{ id: string, title: string, displayName: string, participantType: ParticipantType, sourceChannel: string, messageCount: number, createdAt: string, lastMessageAt: string | null }> } } | null };

export type SessionListItemFragment = { id: string, title: string, displayName: string, participantType: ParticipantType, sourceChannel: string, messageCount: number, createdAt: string, lastMessageAt: string | null };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { id: string, displayName: string, role: UserRole } };

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
  id
  role
  createdAt
  senderName
  parts {
    __typename
    ... on TextPart {
      text
    }
    ... on ToolCallPart {
      toolCall {
        name
        args
        status
        result
      }
    }
  }
}
    `, {"fragmentName":"ChatMessage"}) as unknown as TypedDocumentString<ChatMessageFragment, unknown>;
export const SessionListItemFragmentDoc = new TypedDocumentString(`
    fragment SessionListItem on Session {
  id
  title
  displayName
  participantType
  sourceChannel
  messageCount
  createdAt
  lastMessageAt
}
    `, {"fragmentName":"SessionListItem"}) as unknown as TypedDocumentString<SessionListItemFragment, unknown>;
export const ChatViewDocument = new TypedDocumentString(`
    query ChatView($agentId: ID!, $sessionId: ID!, $last: Int!, $before: String) {
  agent(id: $agentId) {
    id
    session(id: $sessionId) {
      id
      title
      displayName
      messages(last: $last, before: $before) {
        totalCount
        pageInfo {
          hasPreviousPage
          startCursor
        }
        nodes {
          ...ChatMessage
        }
      }
    }
  }
}
    fragment ChatMessage on Message {
  id
  role
  createdAt
  senderName
  parts {
    __typename
    ... on TextPart {
      text
    }
    ... on ToolCallPart {
      toolCall {
        name
        args
        status
        result
      }
    }
  }
}`) as unknown as TypedDocumentString<ChatViewQuery, ChatViewQueryVariables>;
export const CreateSessionDocument = new TypedDocumentString(`
    mutation CreateSession($agentId: ID!, $title: String) {
  createSession(agentId: $agentId, title: $title) {
    __typename
    ... on Session {
      ...SessionListItem
    }
    ... on Error {
      message
    }
    ... on ValidationError {
      field
    }
  }
}
    fragment SessionListItem on Session {
  id
  title
  displayName
  participantType
  sourceChannel
  messageCount
  createdAt
  lastMessageAt
}`) as unknown as TypedDocumentString<CreateSessionMutation, CreateSessionMutationVariables>;
export const DeleteSessionDocument = new TypedDocumentString(`
    mutation DeleteSession($id: ID!) {
  deleteSession(id: $id) {
    __typename
    ... on DeletedSession {
      id
    }
    ... on Error {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<DeleteSessionMutation, DeleteSessionMutationVariables>;
export const RenameSessionDocument = new TypedDocumentString(`
    mutation RenameSession($id: ID!, $title: String!) {
  renameSession(id: $id, title: $title) {
    __typename
    ... on Session {
      ...SessionListItem
    }
    ... on Error {
      message
    }
    ... on ValidationError {
      field
    }
  }
}
    fragment SessionListItem on Session {
  id
  title
  displayName
  participantType
  sourceChannel
  messageCount
  createdAt
  lastMessageAt
}`) as unknown as TypedDocumentString<RenameSessionMutation, RenameSessionMutationVariables>;
export const SessionListDocument = new TypedDocumentString(`
    query SessionList($agentId: ID!, $scope: SessionScope!, $first: Int!, $after: String) {
  agent(id: $agentId) {
    id
    name
    viewerCanSeeAllSessions
    sessions(scope: $scope, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...SessionListItem
      }
    }
  }
}
    fragment SessionListItem on Session {
  id
  title
  displayName
  participantType
  sourceChannel
  messageCount
  createdAt
  lastMessageAt
}`) as unknown as TypedDocumentString<SessionListQuery, SessionListQueryVariables>;
export const ViewerDocument = new TypedDocumentString(`
    query Viewer {
  viewer {
    id
    displayName
    role
  }
}
    `) as unknown as TypedDocumentString<ViewerQuery, ViewerQueryVariables>;