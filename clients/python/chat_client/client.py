from collections.abc import AsyncIterator
from typing import Any, Optional, Union

from .async_base_client import AsyncBaseClient
from .base_model import UNSET, UnsetType
from .cancel_run import CancelRun
from .chat_activity import ChatActivity
from .chat_view import ChatView
from .create_session import CreateSession
from .delete_session import DeleteSession
from .enums import SessionScope
from .mark_session_read import MarkSessionRead
from .rename_session import RenameSession
from .session_list import SessionList
from .viewer import Viewer


def gql(q: str) -> str:
    return q


class ChatClient(AsyncBaseClient):
    async def cancel_run(self, run_id: str, **kwargs: Any) -> CancelRun:
        query = gql("""
            mutation CancelRun($runId: ID!) {
              cancelRun(runId: $runId) {
                __typename
                ... on Run {
                  ...ActiveRun
                }
                ... on NotFoundError {
                  message
                }
                ... on ForbiddenError {
                  message
                }
                ... on ValidationError {
                  message
                  field
                }
              }
            }

            fragment ActiveRun on Run {
              id
              status
              canCancel
              canResume
              waiting {
                type
                reason
                correlationId
              }
            }
            """)
        variables: dict[str, object] = {"runId": run_id}
        response = await self.execute(
            query=query, operation_name="CancelRun", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CancelRun.model_validate(data)

    async def chat_activity(
        self,
        session_id: str,
        after: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> AsyncIterator[ChatActivity]:
        query = gql("""
            subscription ChatActivity($sessionId: ID!, $after: String) {
              runEvents(sessionId: $sessionId, after: $after) {
                __typename
                id
                runId
                cursor
                createdAt
                ... on RunThinking {
                  content
                }
                ... on RunProgress {
                  content
                }
                ... on RunToolCall {
                  callId
                  name
                  args
                  status
                  result
                  errorCode
                }
                ... on RunLifecycle {
                  event
                  runStatus
                  errorCode
                  waiting {
                    type
                    reason
                  }
                }
                ... on RunDelivery {
                  failed
                  errorCode
                  message {
                    ...ChatMessage
                  }
                }
              }
            }

            fragment ChatMessage on Message {
              id
              role
              createdAt
              senderName
              runtimeError {
                code
                message
                traceId
              }
              parts {
                __typename
                ... on TextPart {
                  text
                }
                ... on ToolCallPart {
                  toolCall {
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
            """)
        variables: dict[str, object] = {"sessionId": session_id, "after": after}
        async for data in self.execute_ws(
            query=query, operation_name="ChatActivity", variables=variables, **kwargs
        ):
            yield ChatActivity.model_validate(data)

    async def chat_view(
        self,
        agent_id: str,
        session_id: str,
        last: int,
        before: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ChatView:
        query = gql("""
            query ChatView($agentId: ID!, $sessionId: ID!, $last: Int!, $before: String) {
              agent(id: $agentId) {
                id
                session(id: $sessionId) {
                  id
                  title
                  displayName
                  kind
                  unreadCount
                  messages(last: $last, before: $before) {
                    count {
                      count
                      precision
                    }
                    pageInfo {
                      hasPreviousPage
                      startCursor
                    }
                    nodes {
                      ...ChatMessage
                    }
                  }
                  activeRun {
                    ...ActiveRun
                  }
                }
              }
            }

            fragment ActiveRun on Run {
              id
              status
              canCancel
              canResume
              waiting {
                type
                reason
                correlationId
              }
            }

            fragment ChatMessage on Message {
              id
              role
              createdAt
              senderName
              runtimeError {
                code
                message
                traceId
              }
              parts {
                __typename
                ... on TextPart {
                  text
                }
                ... on ToolCallPart {
                  toolCall {
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
            """)
        variables: dict[str, object] = {
            "agentId": agent_id,
            "sessionId": session_id,
            "last": last,
            "before": before,
        }
        response = await self.execute(
            query=query, operation_name="ChatView", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ChatView.model_validate(data)

    async def create_session(
        self,
        agent_id: str,
        title: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> CreateSession:
        query = gql("""
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
              kind
              participantType
              sourceChannel
              messageCount
              unreadCount
              isPrimary
              createdAt
              lastMessageAt
            }
            """)
        variables: dict[str, object] = {"agentId": agent_id, "title": title}
        response = await self.execute(
            query=query, operation_name="CreateSession", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return CreateSession.model_validate(data)

    async def delete_session(self, id: str, **kwargs: Any) -> DeleteSession:
        query = gql("""
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
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="DeleteSession", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return DeleteSession.model_validate(data)

    async def mark_session_read(self, id: str, **kwargs: Any) -> MarkSessionRead:
        query = gql("""
            mutation MarkSessionRead($id: ID!) {
              markSessionRead(id: $id) {
                __typename
                ... on Session {
                  id
                  unreadCount
                  lastReadAt
                }
                ... on Error {
                  message
                }
              }
            }
            """)
        variables: dict[str, object] = {"id": id}
        response = await self.execute(
            query=query, operation_name="MarkSessionRead", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return MarkSessionRead.model_validate(data)

    async def rename_session(self, id: str, title: str, **kwargs: Any) -> RenameSession:
        query = gql("""
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
              kind
              participantType
              sourceChannel
              messageCount
              unreadCount
              isPrimary
              createdAt
              lastMessageAt
            }
            """)
        variables: dict[str, object] = {"id": id, "title": title}
        response = await self.execute(
            query=query, operation_name="RenameSession", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RenameSession.model_validate(data)

    async def session_list(
        self,
        agent_id: str,
        scope: SessionScope,
        first: int,
        after: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> SessionList:
        query = gql("""
            query SessionList($agentId: ID!, $scope: SessionScope!, $first: Int!, $after: String) {
              agent(id: $agentId) {
                id
                name
                viewerCanSeeAllSessions
                sessions(scope: $scope, first: $first, after: $after) {
                  count {
                    count
                    precision
                  }
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
              kind
              participantType
              sourceChannel
              messageCount
              unreadCount
              isPrimary
              createdAt
              lastMessageAt
            }
            """)
        variables: dict[str, object] = {
            "agentId": agent_id,
            "scope": scope,
            "first": first,
            "after": after,
        }
        response = await self.execute(
            query=query, operation_name="SessionList", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return SessionList.model_validate(data)

    async def viewer(self, **kwargs: Any) -> Viewer:
        query = gql("""
            query Viewer {
              viewer {
                id
                displayName
                role
              }
            }
            """)
        variables: dict[str, object] = {}
        response = await self.execute(
            query=query, operation_name="Viewer", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Viewer.model_validate(data)
