"""Servers of our own that a fault test stops and starts: a Redis and a PostgreSQL cluster on free loopback ports.

The shared servers of .ci/test-services stay up for the other tests; these live in the test's tmp_path.
"""

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from rupn.celery import app as celery_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, timeout: float = 30.0, every: float = 0.1) -> bool:
    """Poll condition() until it is true (True) or the time is over (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class RedisServer:
    """redis-server on 127.0.0.1:port, started and stopped by the test."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log")],
        )
        assert wait_for(lambda: accepts_connections(self.port), timeout=30), "redis-server did not start"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def _reset_celery_connections() -> None:
    pool = celery_app._pool
    if pool is not None:
        pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app._backend_cache = None
    with contextlib.suppress(AttributeError):
        del celery_app._local.backend


@contextlib.contextmanager
def celery_using(url: str):
    """Point the Celery app (broker and results) at url, jobs queued for real, while the block runs."""
    conf = celery_app.conf
    previous = conf.broker_url, conf.result_backend, conf.task_always_eager
    _reset_celery_connections()
    conf.broker_url = conf.result_backend = url
    conf.task_always_eager = False  # the tests run jobs in-process otherwise (tests/conftest.py)
    try:
        yield celery_app
    finally:
        _reset_celery_connections()
        conf.broker_url, conf.result_backend, conf.task_always_eager = previous


def pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    assert found, "PostgreSQL's initdb is not installed"
    return Path(found[-1]).parent


class PostgresCluster:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl, as the postgres user when root), like .ci/test-services."""

    def __init__(self):
        self.port = free_port()
        # Not under pytest's tmp_path: the postgres user cannot enter root's private folder.
        self.directory = Path(tempfile.mkdtemp(prefix="rupn-fault-pg."))
        self.bin = pg_bindir()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.directory, "postgres")

    def _run(self, *command: str, timeout: float = 120) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_root else []
        done = subprocess.run(prefix + list(command), timeout=timeout, capture_output=True, text=True)
        assert done.returncode == 0, f"{command[0]} failed: {done.stdout}{done.stderr}"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/rupn"

    def init(self) -> None:
        data = str(self.directory / "data")
        self._run(str(self.bin / "initdb"), "-D", data, "--auth=trust", "-U", "postgres", "--no-sync")
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "rupn")

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} -c fsync=off"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-l", str(self.directory / "pg.log"),
            "-w", "-t", "60", "start", "-o", options,
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "fast", "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError, AssertionError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)
