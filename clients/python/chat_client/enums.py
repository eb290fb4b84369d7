from enum import Enum


class AgentAccess(str, Enum):
    MANAGE = "MANAGE"
    USE = "USE"


class CountPrecision(str, Enum):
    EXACT = "EXACT"
    AT_LEAST = "AT_LEAST"


class MessageRole(str, Enum):
    USER = "USER"
    ASSISTANT = "ASSISTANT"
    SYSTEM = "SYSTEM"
    TOOL_CALL = "TOOL_CALL"


class ParticipantType(str, Enum):
    USER = "USER"
    AGENT = "AGENT"
    GROUP = "GROUP"


class RunLifecycleEvent(str, Enum):
    CREATED = "CREATED"
    STATUS_CHANGED = "STATUS_CHANGED"
    WAITING_STARTED = "WAITING_STARTED"
    RESUMED = "RESUMED"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class RunStatus(str, Enum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    WAITING_USER = "WAITING_USER"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


class RunToolCallStatus(str, Enum):
    RUNNING = "RUNNING"
    DONE = "DONE"


class SessionKind(str, Enum):
    DIRECT = "DIRECT"
    GROUP = "GROUP"
    AGENT_TO_AGENT = "AGENT_TO_AGENT"
    TRIGGER = "TRIGGER"


class SessionScope(str, Enum):
    MINE = "MINE"
    ALL = "ALL"


class UserRole(str, Enum):
    PLATFORM_ADMIN = "PLATFORM_ADMIN"
    ORG_ADMIN = "ORG_ADMIN"
    AGENT_ADMIN = "AGENT_ADMIN"
    MEMBER = "MEMBER"
