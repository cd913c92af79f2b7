"""Fixtures of the failure tests: a broker and a database the test may kill and bring back, the four
services as processes, and direct reads of each service's own tables to count what arrived.

Embedded defaults: each broker test starts its OWN Tansu on a fixed loopback port (so a restart comes
back on the same address) and kills it; the session's broker, used by every other test, is never
touched. On CI (`KAFKA_PID_FILE` and `KAFKA_CONFIG` exported by `.ci/run`) the real Apache Kafka is
SIGKILLed by its pid and restarted with `deploy/ci/start-kafka.sh` on the same data directory.
The database tests need PostgreSQL: `POSTGRES_STOP_CMD` / `POSTGRES_START_CMD` (exported by
`.ci/run`), or, as root, the Debian cluster serving `DATABASE_URL`'s port (found with pg_lsclusters).
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from yizhou_platform.embedded_broker import EmbeddedBroker, wait_for_port
from yizhou_platform.launcher import SERVICES

sys.path.insert(0, str(Path(__file__).parent))

REPO_ROOT = Path(__file__).resolve().parents[2]


class BrokerControl:
    """What a test needs to take a broker down and bring it back: `fail()` and `recover()`."""

    bootstrap: str
    kind: str
    failure: str

    def fail(self) -> None:
        raise NotImplementedError

    def recover(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class EmbeddedBrokerControl(BrokerControl):
    """A Tansu of the test's own. It keeps its log in memory only, so a SIGKILL would take the log,
    the topics and every committed offset with it: a restart is a new, empty cluster, not the same
    broker back (and Tansu even acknowledges produce requests for the topics it no longer has). So on
    the embedded default the broker is frozen (SIGSTOP) instead: it stops answering, in-flight
    requests time out and connections stall as with a dead broker, and SIGCONT brings the same log
    back. The SIGKILL and restart of a broker is proven on Apache Kafka (CI, KafkaControl)."""

    kind = "embedded Tansu (memory only)"
    failure = "frozen with SIGSTOP (a memory-only broker cannot survive SIGKILL)"

    def __init__(self, log_file: Path) -> None:
        self.broker = EmbeddedBroker(log_file=log_file).start()
        self.bootstrap = self.broker.bootstrap

    def fail(self) -> None:
        assert self.broker.process
        self.broker.process.send_signal(signal.SIGSTOP)

    def recover(self) -> None:
        assert self.broker.process
        self.broker.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        if self.broker.process and self.broker.process.poll() is None:
            self.broker.process.send_signal(signal.SIGCONT)
        self.broker.stop()


class KafkaControl(BrokerControl):
    """The Apache Kafka `.ci/run` started: its pid file names the process; start-kafka.sh restarts
    it on the same config and data directory (the log survives the crash)."""

    kind = "Apache Kafka (KRaft, persistent log)"
    failure = "SIGKILLed and restarted on its data directory"

    def __init__(self, bootstrap: str, pid_file: Path) -> None:
        self.bootstrap = bootstrap
        self.pid_file = pid_file

    def _pid(self) -> int:
        pid = int(self.pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        assert b" kafka.Kafka " in cmdline, f"pid {pid} in {self.pid_file} is not a Kafka broker"
        return pid

    def fail(self) -> None:
        pid = self._pid()
        os.kill(pid, signal.SIGKILL)
        # The broker is not our child: wait until the pid is gone (or a zombie of start-kafka's shell).
        while Path(f"/proc/{pid}").exists():
            state = Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}/stat").exists() else "Z"
            if state == "Z":
                break
            time.sleep(0.1)

    def close(self) -> None:
        # A test that failed half-way must not leave the suite's broker dead for the tests after it.
        try:
            self._pid()
        except (OSError, ValueError, AssertionError):
            self.recover()

    def recover(self) -> None:
        subprocess.run(["bash", str(REPO_ROOT / "deploy/ci/start-kafka.sh")], check=True, env=os.environ.copy(),
                       stdout=subprocess.DEVNULL, timeout=240)
        host, port = self.bootstrap.split(",")[0].rsplit(":", 1)
        wait_for_port(int(port), 60, host)


@pytest.fixture
def broker_control(tmp_path) -> BrokerControl:
    """A broker this test may take down (never the session's embedded one, which other tests use)."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        pid_file = os.environ.get("KAFKA_PID_FILE")
        if not pid_file or not Path(pid_file).exists():
            pytest.skip("KAFKA_BOOTSTRAP_SERVERS names a broker this test cannot restart: export KAFKA_PID_FILE "
                        "and KAFKA_CONFIG as .ci/run does (deploy/ci/start-kafka.sh)")
        control: BrokerControl = KafkaControl(os.environ["KAFKA_BOOTSTRAP_SERVERS"], Path(pid_file))
    else:
        control = EmbeddedBrokerControl(tmp_path / "tansu.log")
    yield control
    control.close()


class PostgresControl:
    def __init__(self, stop_cmd: list[str], start_cmd: list[str]) -> None:
        self.stop_cmd = stop_cmd
        self.start_cmd = start_cmd

    def stop(self) -> None:
        subprocess.run(self.stop_cmd, check=True, timeout=60, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        subprocess.run(self.start_cmd, check=True, timeout=120, stdout=subprocess.DEVNULL)


def _debian_cluster_for(port: int) -> tuple[str, str] | None:
    if shutil.which("pg_lsclusters") is None or os.geteuid() != 0:
        return None
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == str(port):
            return fields[0], fields[1]
    return None


@pytest.fixture
def postgres_control() -> PostgresControl:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("database failure needs PostgreSQL (DATABASE_URL); SQLite is a file inside the service process, "
                    "there is no server to stop. CI runs this test on PostgreSQL.")
    stop, start = os.environ.get("POSTGRES_STOP_CMD"), os.environ.get("POSTGRES_START_CMD")
    if stop and start:
        return PostgresControl(shlex.split(stop), shlex.split(start))
    cluster = _debian_cluster_for(make_url(url).port or 5432)
    if cluster is None:
        pytest.skip("no way to stop this PostgreSQL: export POSTGRES_STOP_CMD and POSTGRES_START_CMD (as .ci/run does)")
    version, name = cluster
    return PostgresControl(["pg_ctlcluster", version, name, "stop", "-m", "immediate"],
                           ["pg_ctlcluster", version, name, "start"])


def database_url_of(service_env: dict[str, str], package: str) -> str:
    """The URL a service process uses for its own database (as ServiceSettings resolves it)."""
    if service_env.get("DATABASE_URL"):
        return make_url(service_env["DATABASE_URL"]).set(database=package).render_as_string(hide_password=False)
    return f"sqlite+aiosqlite:///{(Path(service_env['YIZHOU_DATA_DIR']) / f'{package}.db').resolve()}"


@pytest.fixture
def service_databases(service_env):
    """`async with service_databases("demand-intake") as engine:` reads that service's own tables."""

    @asynccontextmanager
    async def _open(service: str) -> AsyncIterator[AsyncEngine]:
        package = next(s.package for s in SERVICES if s.name == service)
        engine = create_async_engine(database_url_of(service_env, package))
        try:
            yield engine
        finally:
            await engine.dispose()

    return _open


def pytest_terminal_summary(terminalreporter) -> None:
    import failure_kit

    if failure_kit.FIGURES:
        terminalreporter.section("reliability figures")
        for line in failure_kit.FIGURES:
            terminalreporter.write_line(line)
