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
