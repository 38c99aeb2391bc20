"""The services of .ci/test-services, stopped and started again by the fault tests, and the test worker.

A fault test stops the very Redis or PostgreSQL server the rest of the suite uses, and starts it again before it
ends, on the same address, with the same configuration and the same data; the Celery app and Django keep their
connection pools (nothing is swapped or closed behind their back), so the tests that follow find everything as
it was. Only loopback servers are touched: a Redis or PostgreSQL elsewhere is never stopped.
"""

import contextlib
import ctypes
import gc
import logging
import os
import shlex
import signal
import socket
import subprocess
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connections

from rupn.celery import app as celery_app

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# The servers started again by a test, kept for as long as pytest runs (they end with it: _die_with_pytest).
RESTARTED: list[subprocess.Popen] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 30.0, every: float = 0.05) -> bool:
    """Poll condition() until it is true (True) or the time is over (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def accepts_connections(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@contextlib.contextmanager
def running_worker():
    """A real worker (solo pool, one thread) consuming from the test Redis while the block runs; yields the app."""
    # start_worker() sets up Celery's logging: the root logger's level drops to WORKER_LOGLEVEL (error) and its
    # handlers are replaced. Put them back afterwards so later tests (caplog, Django's LOGGING) see no difference.
    root = logging.getLogger()
    root_level, root_handlers = root.level, root.handlers[:]
    previous_eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
            yield celery_app
    finally:
        celery_app.conf.task_always_eager = previous_eager
        root.setLevel(root_level)
        root.handlers[:] = root_handlers
        _collect_the_worker_threads_results()


def _collect_the_worker_threads_results() -> None:
    """Collect what the worker thread left: its thread-local result backend and the results of the jobs it queued
    (a retry queues one). An AsyncResult's __del__ unsubscribes through that dead backend, which opens a Redis
    connection nobody holds; left to a later collection (pytest's last one, at the end of the run), its socket
    is reported as unclosed and fails the run. Collected here, the sockets are closed by their finalizers now,
    and the ResourceWarning each raises on the way is expected."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        for _ in range(3):
            gc.collect()


@contextlib.contextmanager
def jobs_queued_for_real():
    """Jobs go to the broker (tests/conftest.py runs them in-process otherwise) while the block runs."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield celery_app
    finally:
        celery_app.conf.task_always_eager = previous


def _die_with_pytest() -> None:  # pragma: no cover (runs in the child, between fork and exec)
    """The restarted server gets SIGTERM when pytest ends, as .ci/test-services stops the one it started."""
    PR_SET_PDEATHSIG = 1  # noqa: N806 (prctl's name)
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class SharedRedis:
    """The suite's Redis (REDIS_URL): stop() saves its data and shuts it down; start() runs it again, same port,
    same configuration, same data. The new process ends with pytest (see _die_with_pytest)."""

    SETTINGS = ("bind", "port", "dir", "dbfilename", "logfile", "appendonly", "protected-mode")

    def __init__(self, url: str):
        parts = urlsplit(url)
        assert parts.hostname in LOOPBACK, f"a fault test stops only a loopback Redis, not {parts.hostname}"
        self.host, self.port = parts.hostname, parts.port or 6379
        client = self.client()
        config = client.config_get("*")
        self.config = {name: config[name] for name in self.SETTINGS if name in config}
        client.close()
        self.process: subprocess.Popen | None = None

    def client(self) -> redis.Redis:
        return redis.Redis(host=self.host, port=self.port, socket_timeout=5, socket_connect_timeout=5)

    def is_up(self) -> bool:
        try:
            client = self.client()
            try:
                return bool(client.ping())
            finally:
                client.close()
        except redis.RedisError:
            return False

    @staticmethod
    def _members(client: redis.Redis, key: bytes) -> set | None:
        kind = client.type(key)
        if kind == b"set":
            return client.smembers(key)
        if kind == b"hash":
            return set(client.hkeys(key))
        if kind == b"zset":
            return set(client.zrange(key, 0, -1))
        if kind == b"list":
            return set(client.lrange(key, 0, -1))
        return None

    @contextlib.contextmanager
    def left_as_found(self):
        """While the block runs, note the keys (and their members) Redis holds; afterwards remove what was added:
        new keys, new members of sets, hashes, sorted sets and lists (a killed worker's unacknowledged message)."""
        client = self.client()
        before = {key: self._members(client, key) for key in client.scan_iter(count=1000)}
        try:
            yield
        finally:
            remove = {b"set": client.srem, b"hash": client.hdel, b"zset": client.zrem}
            for key in list(client.scan_iter(count=1000)):
                if key not in before:
                    client.delete(key)
                    continue
                added = (self._members(client, key) or set()) - (before[key] or set())
                kind = client.type(key)
                if added and kind in remove:
                    remove[kind](key, *added)
                elif added and kind == b"list":
                    for value in added:
                        client.lrem(key, 0, value)
            client.close()

    def stop(self) -> None:
        client = self.client()
        with contextlib.suppress(redis.ConnectionError):  # the server closes the connection as it goes
            client.shutdown(save=True)
        client.close()
        assert wait_for(lambda: not accepts_connections(self.port, self.host), timeout=30), "Redis did not stop"
        if self.process is not None:  # a server this test started: reap it
            self.process.wait(timeout=30)
            RESTARTED.remove(self.process)
            self.process = None

    def start(self) -> None:
        arguments = ["redis-server", "--daemonize", "no", "--save", ""]
        for name, value in self.config.items():
            arguments += [f"--{name}", *value.split()] if name == "bind" else [f"--{name}", value]
        self.process = subprocess.Popen(arguments, preexec_fn=_die_with_pytest, stdout=subprocess.DEVNULL)  # noqa: PLW1509
        RESTARTED.append(self.process)
        assert wait_for(self.is_up, timeout=30), "Redis did not start again"
        dump = Path(self.config["dir"]) / self.config["dbfilename"]
        dump.unlink(missing_ok=True)  # the data is loaded; the server kept none on disk before either


class SharedPostgres:
    """The suite's PostgreSQL server (DATABASE_URL): stopped and started again with pg_ctl, same data folder and
    options (postmaster.opts), as the postgres user when the tests run as root, like .ci/test-services."""

    def __init__(self):
        database = settings.DATABASES["default"]
        assert database["ENGINE"] == "django.db.backends.postgresql", "the PostgreSQL fault test needs PostgreSQL"
        assert database["HOST"] in LOOPBACK, f"a fault test stops only a loopback PostgreSQL, not {database['HOST']}"
        self.dsn = {"host": database["HOST"], "port": database["PORT"], "user": database["USER"], "dbname": "postgres"}
        with psycopg.connect(**self.dsn, autocommit=True) as connection:
            self.data = connection.execute("SHOW data_directory").fetchone()[0]
            version = connection.execute("SHOW server_version_num").fetchone()[0]
        self.pg_ctl = f"/usr/lib/postgresql/{int(version) // 10000}/bin/pg_ctl"
        # The options the server was started with (pg_ctl writes them there; only its restart mode reads them).
        command = shlex.split((Path(self.data) / "postmaster.opts").read_text())
        skip = {command.index("-D"), command.index("-D") + 1} if "-D" in command else set()
        self.options = shlex.join(word for index, word in enumerate(command[1:], start=1) if index not in skip)

    def _pg_ctl(self, *arguments: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*prefix, self.pg_ctl, "-D", self.data, *arguments], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, f"pg_ctl {arguments[-1]} failed: {done.stdout}{done.stderr}"

    def is_up(self) -> bool:
        try:
            with psycopg.connect(**self.dsn, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "-t", "60", "stop")

    def start(self) -> None:
        # Its log lives beside the data folder, removed with it by .ci/test-services.
        log = str(Path(self.data).parent / "postgres-restarted.log")
        self._pg_ctl("-l", log, "-w", "-t", "60", "-o", self.options, "start")
        assert wait_for(self.is_up, timeout=60), "PostgreSQL did not start again"
        # Django's own connections died with the server: the next query of the suite opens a new one.
        for connection in connections.all(initialized_only=True):
            connection.close()
