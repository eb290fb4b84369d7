"""Live updates: the per-process event source behind GraphQL subscriptions."""

from live.broker import (
    Broker,
    MessageWatch,
    SessionWatch,
    Tick,
    TooManySubscriptions,
    Watch,
)

__all__ = ["Broker", "MessageWatch", "SessionWatch", "Tick", "TooManySubscriptions", "Watch"]
