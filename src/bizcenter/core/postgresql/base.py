"""Django's PostgreSQL backend, with a health check that costs no round trip while
the server has said nothing.

With CONN_HEALTH_CHECKS, Django sends ``SELECT 1`` before the first query of every
request, so that a connection the server closed (a restart, a failover, an idle
timeout, ``pg_terminate_backend``) is replaced instead of failing that request. On
an API call that reads one row, that doubled the round trips: the access check
spent as long on the ``SELECT 1`` as on its own query.

Between requests an idle connection hears nothing from its server unless the server
is closing it, and a closed socket always reads as ready (its end-of-file). So the
check here first asks the operating system, without waiting, whether the socket has
anything to read. Nothing: the connection is kept, for one system call. Something
(the server's goodbye, or a rarer notice): Django's own ``SELECT 1`` decides, as
before. What no check sees quickly is a peer that vanished without a word (a host
powered off); the ``SELECT 1`` would wait for TCP to give up just as the request's
own query does.

The rest is Django's backend (ENGINE "bizcenter.core.postgresql").
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        # django-stubs do not know the health check's attributes (Django 4.1).
        if (self.connection is not None and self.health_check_enabled  # type: ignore[attr-defined]
                and not self.health_check_done and self._quiet()):  # type: ignore[has-type]
            self.health_check_done = True
            return
        super().close_if_health_check_failed()  # type: ignore[no-untyped-call]

    def _quiet(self) -> bool:
        """Open, and nothing from the server waiting to be read."""
        connection = self.connection
        if self.pool or connection.closed or connection.broken:  # type: ignore[attr-defined]
            return False  # a pool checks its own; a closed one has nothing to check
        socket = connection.pgconn.socket
        if not hasattr(select, "poll"):  # Windows: select() takes sockets there
            return not select.select([socket], [], [], 0)[0]
        poller = select.poll()  # select() cannot take a descriptor past 1023
        poller.register(socket, select.POLLIN | select.POLLPRI)
        return not poller.poll(0)
