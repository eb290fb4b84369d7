from .async_base_client import AsyncBaseClient
from .base_model import BaseModel, Upload
from .chat_view import (
    ChatView,
    ChatViewAgent,
    ChatViewAgentSession,
    ChatViewAgentSessionMessages,
    ChatViewAgentSessionMessagesCount,
    ChatViewAgentSessionMessagesNodes,
    ChatViewAgentSessionMessagesPageInfo,
)
from .client import ChatClient
from .create_session import (
    CreateSession,
    CreateSessionCreateSessionForbiddenError,
    CreateSessionCreateSessionNotFoundError,
    CreateSessionCreateSessionSession,
    CreateSessionCreateSessionValidationError,
)
from .delete_session import (
    DeleteSession,
    DeleteSessionDeleteSessionDeletedSession,
    DeleteSessionDeleteSessionForbiddenError,
    DeleteSessionDeleteSessionNotFoundError,
)
from .enums import (
    AgentAccess,
    CountPrecision,
    MessageRole,
    ParticipantType,
    SessionKind,
    SessionScope,
    UserRole,
)
from .exceptions import (
    GraphQLClientError,
    GraphQLClientGraphQLError,
    GraphQLClientGraphQLMultiError,
    GraphQLClientHttpError,
    GraphQLClientInvalidResponseError,
)
from .fragments import (
    ChatMessage,
    ChatMessagePartsTextPart,
    ChatMessagePartsToolCallPart,
    ChatMessagePartsToolCallPartToolCall,
    ChatMessageRuntimeError,
    SessionListItem,
)
from .mark_session_read import (
    MarkSessionRead,
    MarkSessionReadMarkSessionReadForbiddenError,
    MarkSessionReadMarkSessionReadNotFoundError,
    MarkSessionReadMarkSessionReadSession,
)
from .rename_session import (
    RenameSession,
    RenameSessionRenameSessionForbiddenError,
    RenameSessionRenameSessionNotFoundError,
    RenameSessionRenameSessionSession,
    RenameSessionRenameSessionValidationError,
)
from .session_list import (
    SessionList,
    SessionListAgent,
    SessionListAgentSessions,
    SessionListAgentSessionsCount,
    SessionListAgentSessionsNodes,
    SessionListAgentSessionsPageInfo,
)
from .viewer import Viewer, ViewerViewer

__all__ = [
    "AgentAccess",
    "AsyncBaseClient",
    "BaseModel",
    "ChatClient",
    "ChatMessage",
    "ChatMessagePartsTextPart",
    "ChatMessagePartsToolCallPart",
    "ChatMessagePartsToolCallPartToolCall",
    "ChatMessageRuntimeError",
    "ChatView",
    "ChatViewAgent",
    "ChatViewAgentSession",
    "ChatViewAgentSessionMessages",
    "ChatViewAgentSessionMessagesCount",
    "ChatViewAgentSessionMessagesNodes",
    "ChatViewAgentSessionMessagesPageInfo",
    "CountPrecision",
    "CreateSession",
    "CreateSessionCreateSessionForbiddenError",
    "CreateSessionCreateSessionNotFoundError",
    "CreateSessionCreateSessionSession",
    "CreateSessionCreateSessionValidationError",
    "DeleteSession",
    "DeleteSessionDeleteSessionDeletedSession",
    "DeleteSessionDeleteSessionForbiddenError",
    "DeleteSessionDeleteSessionNotFoundError",
    "GraphQLClientError",
    "GraphQLClientGraphQLError",
    "GraphQLClientGraphQLMultiError",
    "GraphQLClientHttpError",
    "GraphQLClientInvalidResponseError",
    "MarkSessionRead",
    "MarkSessionReadMarkSessionReadForbiddenError",
    "MarkSessionReadMarkSessionReadNotFoundError",
    "MarkSessionReadMarkSessionReadSession",
    "MessageRole",
    "ParticipantType",
    "RenameSession",
    "RenameSessionRenameSessionForbiddenError",
    "RenameSessionRenameSessionNotFoundError",
    "RenameSessionRenameSessionSession",
    "RenameSessionRenameSessionValidationError",
    "SessionKind",
    "SessionList",
    "SessionListAgent",
    "SessionListAgentSessions",
    "SessionListAgentSessionsCount",
    "SessionListAgentSessionsNodes",
    "SessionListAgentSessionsPageInfo",
    "SessionListItem",
    "SessionScope",
    "Upload",
    "UserRole",
    "Viewer",
    "ViewerViewer",
]
