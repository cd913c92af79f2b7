"""Starts the four services as separate uvicorn processes (used by `yizhou run` and the flow tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from yizhou_platform.kafka_principals import configured_principals

# uvicorn's HTTP protocol with deadlines for receiving a request (drip-fed headers and bodies are cut off).
HTTP_PROTOCOL = "yizhou.slow_clients:GuardedHTTPProtocol"


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    package: str
    default_port: int


SERVICES = (
    ServiceSpec("org-registry", "org_registry", 8001),
    ServiceSpec("demand-intake", "demand_intake", 8002),
    ServiceSpec("project-matching", "project_matching", 8003),
    ServiceSpec("dual-registration", "dual_registration", 8004),
)

# Web origins of the usual front-end dev servers (React/Next on 3000, Vite on 5173): `yizhou run` lets
# their pages call the services unless CORS_ALLOW_ORIGINS says otherwise. A laptop default only.
LOCAL_CORS_ORIGINS = "http://localhost:3000,http://127.0.0.1:3000,http://localhost:5173"

# In the data directory of `yizhou run`, while it runs: the broker its services use, so the operator
# commands of another shell (`yizhou rebuild`, `yizhou demand-intake rates rebuild`) find it too.
BOOTSTRAP_FILE = "kafka-bootstrap"


def write_bootstrap(data_dir: Path, bootstrap: str) -> Path:
    path = data_dir / BOOTSTRAP_FILE
    path.write_text(bootstrap + "\n", encoding="utf-8")
    return path


def running_bootstrap(data_dir: Path) -> str | None:
    """The broker of the `yizhou run` on this data directory, if one is running (or crashed: its
    address is then simply unreachable, which the CLI reports)."""
    try:
        return (data_dir / BOOTSTRAP_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


class ServiceProcess:
    def __init__(self, spec: ServiceSpec, port: int, env: dict[str, str], log_dir: Path) -> None:
        self.spec = spec
        self.port = port
        self.env = env
        self.log_path = log_dir / f"{spec.name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, env_overrides: dict[str, str] | None = None) -> None:
        """Starts the process; `env_overrides` apply to this start only (e.g. relay off)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", f"{self.spec.package}.app:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
                 "--http", HTTP_PROTOCOL],
                env={**self.env, **(env_overrides or {})}, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait_healthy(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.spec.name} exited with {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.spec.name} not healthy after {timeout_s}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, as in a crash."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Platform:
    """All four services against one broker; each on its own database (SQLite files by default)."""

    def __init__(self, *, bootstrap: str, data_dir: Path, ports: dict[str, int] | None = None,
                 extra_env: dict[str, str] | None = None) -> None:
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "YIZHOU_DATA_DIR": str(data_dir),
               **(extra_env or {})}
        ports = ports or {}
        # On a secured broker each service connects as its own principal (KAFKA_PRINCIPALS_FILE).
        principals = configured_principals()
        self.services = {s.name: ServiceProcess(s, ports.get(s.name, s.default_port),
                                                {**env, **(principals.env(s.name) if principals else {})},
                                                data_dir / "logs")
                         for s in SERVICES}

    def start(self) -> Platform:
        """All four up and healthy, or none left running: a service that cannot start must not leave the
        others behind (they would keep consuming and publishing in the session's groups)."""
        try:
            for service in self.services.values():
                service.start()
            for service in self.services.values():
                service.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]
