"""The connection pool of the server's engines, telling the metrics how it is used.

SQLAlchemy has no pool event for a caller that waits: the wait is inside `_do_get`, so a
subclass counts its callers there (`chat_api_db_pool_waiting`) and sets the connections
checked out (`chat_api_db_pool_connections_in_use`) from the pool's own count whenever
that changes, so the gauge cannot drift from the pool.
"""

import logging

from sqlalchemy.pool import AsyncAdaptedQueuePool, ConnectionPoolEntry

from observability.metrics import POOL_IN_USE, POOL_WAITING


class MeteredPool(AsyncAdaptedQueuePool):
    def _do_get(self) -> ConnectionPoolEntry:
        POOL_WAITING.inc()
        try:
            return super()._do_get()
        finally:
            POOL_WAITING.dec()
            POOL_IN_USE.set(self.checkedout())

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        super()._do_return_conn(record)
        POOL_IN_USE.set(self.checkedout())


# SQLAlchemy names a pool's logger after its class (db.pool.MeteredPool), outside its own
# `sqlalchemy` loggers, which log pool chatter only when asked (echo_pool): so does this.
logging.getLogger(f"{__name__}.{MeteredPool.__name__}").setLevel(logging.WARNING)
