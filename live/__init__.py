"""Live updates: the per-process event source behind GraphQL subscriptions."""

from live.broker import (
    Broker,
    MessageWatch,
    RunEventWatch,
    SessionWatch,
    Tick,
    TooManySubscriptions,
    Watch,
)

__all__ = [
    "Broker",
    "MessageWatch",
    "RunEventWatch",
    "SessionWatch",
    "Tick",
    "TooManySubscriptions",
    "Watch",
]
