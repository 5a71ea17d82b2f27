"""The Redis broker transport, with one fix: a worker that lost Redis keeps running.

When Redis goes away, the worker's consumer closes its connection and then its channel. kombu
(5.7) restores the channel's unacknowledged messages on close through a fresh pool built from
the connection's settings, but by then the transport has let go of its connection: the
AttributeError ("'NoneType' object has no attribute 'hostname'") ends the worker as an
"Unrecoverable error". Here each channel keeps the settings it was opened with, so the restore
goes ahead (the worker reconnects as usual afterwards); and if Redis is still unreachable, the
messages stay in Redis's unacked hash, which restore_visible hands back after the visibility
timeout: logged, nothing lost. Selected by CELERY_BROKER_TRANSPORT (backstage/settings.py).
"""

import logging

from kombu.transport import redis

log = logging.getLogger(__name__)


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        try:
            return super().restore_unacked(client)
        except self.channel.connection.connection_errors as error:
            log.warning(
                "Redis unreachable while restoring %d unacknowledged task(s); they return"
                " after the visibility timeout: %r",
                len(self._delivered),
                error,
            )
            self._delivered.clear()
            return None


class Channel(redis.Channel):
    QoS = QoS
    _opened_with: dict | None = None

    def _connparams(self, asynchronous=False):
        if self.connection.client is None and self._opened_with is not None:
            return dict(self._opened_with)  # the transport let go of its connection: see above
        params = super()._connparams(asynchronous=asynchronous)
        if not asynchronous:
            self._opened_with = dict(params)
        return params


class Transport(redis.Transport):
    Channel = Channel
