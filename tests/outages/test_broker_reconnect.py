"""The Celery worker outlives Redis going away (backstage/broker.py).

A private redis-server (append-only file, so a restart keeps the queues) and kombu driven as
the worker drives it: a task is taken and not yet acknowledged, the connection is lost, then
the channel is closed and its unacknowledged tasks are restored. kombu's own transport ends the
worker there with an AttributeError; ours restores, or, with Redis still down, leaves the task
where Redis hands it back after the visibility timeout.
"""

import subprocess
import uuid

import pytest
from kombu import Connection, Exchange, Queue

from tests.load.stack import REDIS_SERVER, answers, free_port, stop_process, wait_until

TRANSPORT = "backstage.broker:Transport"


@pytest.fixture
def redis_server(tmp_path):
    """start() / stop() a redis-server of our own; its URL."""
    port = free_port()
    process = None

    class Server:
        url = f"redis://127.0.0.1:{port}/0"

        def start(self):
            nonlocal process
            process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", tmp_path,
                 "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            wait_until(lambda: answers(port), what="redis-server", timeout=20)

        def stop(self):
            stop_process(process)

    server = Server()
    server.start()
    yield server
    server.stop()


def take_one_task(url: str, *, visibility_timeout: int = 900):
    """Publish a task, take it without acknowledging: (connection, channel, queue name)."""
    name = f"tasks-{uuid.uuid4().hex[:8]}"
    queue = Queue(name, Exchange(name), name)
    with Connection(url) as publisher:
        publisher.Producer().publish({"task": "x"}, exchange=queue.exchange, routing_key=name,
                                     declare=[queue])  # fmt: skip
    connection = Connection(
        url, transport=TRANSPORT, transport_options={"visibility_timeout": visibility_timeout}
    )
    channel = connection.channel()
    assert channel.basic_get(name, no_ack=False) is not None
    return connection, channel, name


def lose_connection(connection) -> None:
    """What the consumer does when Redis goes away: the transport lets go of the connection
    (kombu.Connection._do_close_transport) before the channel is closed."""
    connection._do_close_transport()


def waiting(url: str, name: str) -> tuple[int, int]:
    """(tasks in the queue, tasks unacknowledged) in Redis."""
    with Connection(url) as connection:
        client = connection.default_channel.client
        return client.llen(name), client.hlen("unacked")


def test_closing_the_channel_after_the_connection_is_lost_puts_the_task_back(redis_server):
    connection, channel, name = take_one_task(redis_server.url)
    assert waiting(redis_server.url, name) == (0, 1)

    lose_connection(connection)
    channel.close()  # kombu's own transport: AttributeError, "Unrecoverable error"

    assert waiting(redis_server.url, name) == (1, 0)


def test_with_redis_still_down_the_task_waits_in_redis_and_comes_back(redis_server, caplog):
    connection, channel, name = take_one_task(redis_server.url, visibility_timeout=0)
    redis_server.stop()

    lose_connection(connection)
    channel.close()  # Redis unreachable: logged, not raised

    assert "Redis unreachable while restoring 1 unacknowledged task(s)" in caplog.text
    redis_server.start()
    assert waiting(redis_server.url, name) == (0, 1)
    with Connection(redis_server.url, transport=TRANSPORT,
                    transport_options={"visibility_timeout": 0}) as worker:  # fmt: skip
        worker.default_channel.qos.restore_visible()  # what a live worker does every few s
    assert waiting(redis_server.url, name) == (1, 0)
