"""The broker of a serving process, from its settings and database."""

from db.engine import Database
from live.broker import Broker
from settings import Settings


def live_broker(settings: Settings, database: Database) -> Broker:
    return Broker(
        database.engine.url,
        poll_interval=settings.live_poll_interval,
        lookback=settings.live_lookback,
        recheck_interval=settings.live_recheck_interval,
        buffer=settings.live_buffer,
        max_subscriptions=settings.max_subscriptions,
        max_starting=max(1, settings.max_in_flight // 2),
    )
