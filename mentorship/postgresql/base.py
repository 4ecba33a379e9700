"""Django's PostgreSQL backend, with a check of a kept connection that costs no round trip (issue 9).

Persistent connections (``CONN_MAX_AGE``) are checked before a request reuses them (``CONN_HEALTH_CHECKS``),
so that a restarted database costs no error page. Django's check sends ``SELECT 1``: one round trip to the
database on every request, as much as a whole query of a small page. An idle connection has nothing to read;
when PostgreSQL ends it (a restart, ``pg_terminate_backend``, an idle timeout), its goodbye or the end of the
stream arrives on the socket. So a kept connection is usable when libpq still calls it good and its socket
has nothing waiting: asked of the kernel, not of the server. Anything waiting, or a socket that cannot be
asked, closes it and a new one is opened (tests/faults/test_database_restart.py cuts every connection).
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.info.status != pq.ConnStatus.OK:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()  # inside a transaction: the server's answer, as Django asks it
        try:
            waiting, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not waiting
