"""Slow clients against a real service process (uvicorn as the launcher starts it, with
`yizhou.slow_clients`' protocol): drip-fed headers (slowloris), a connection that sends nothing, a
body that never completes and oversized headers are cut off; a prompt client is served as before.
The process runs with a 1 s header and body deadline (REQUEST_HEADER_TIMEOUT_S / REQUEST_BODY_TIMEOUT_S)."""

from __future__ import annotations

import socket
import time

import httpx
import pytest
from yizhou_platform.embedded_broker import free_port
from yizhou_platform.launcher import SERVICES, ServiceProcess

pytestmark = pytest.mark.security

DEADLINE_S = 1.0
# Generous for a loaded CI machine, far below "held for as long as the client likes" (40 s and more).
CLOSED_WITHIN_S = DEADLINE_S + 2.5


@pytest.fixture(scope="module")
def service(service_env, tmp_path_factory):
    spec = next(s for s in SERVICES if s.name == "org-registry")
    data_dir = tmp_path_factory.mktemp("slow-clients")
    process = ServiceProcess(spec, free_port(), {**service_env, "YIZHOU_DATA_DIR": str(data_dir)}, data_dir / "logs")
    # An API process only (no consumers in the session's groups), with short deadlines.
    process.start({"PROCESS_ROLE": "api", "REQUEST_HEADER_TIMEOUT_S": str(DEADLINE_S),
                   "REQUEST_BODY_TIMEOUT_S": str(DEADLINE_S)})
    try:
        process.wait_healthy()
        yield process
    finally:
        process.stop()


def connect(service) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", service.port), timeout=10)
    sock.setblocking(False)
    return sock


def closed(sock: socket.socket) -> tuple[bool, bytes]:
    """(the server closed the connection, what it sent before), without waiting."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except BlockingIOError:
            return False, received
        except (ConnectionResetError, BrokenPipeError):
            return True, received
        if not chunk:
            return True, received
        received += chunk


def drip(sockets: list[socket.socket], give_up_s: float, piece: bytes | None = b"X-Drip: 1\r\n") -> dict[int, tuple[float, bytes]]:
    """Sends `piece` on every open socket every 0.2 s until the server closes each (or `give_up_s`
    passes); returns, per socket index, when it was closed and what the server answered."""
    start, done = time.monotonic(), {}
    while len(done) < len(sockets) and time.monotonic() - start < give_up_s:
        for i, sock in enumerate(sockets):
            if i in done:
                continue
            is_closed, answer = closed(sock)
            if not is_closed and piece:
                try:
                    sock.send(piece)
                except (BrokenPipeError, ConnectionResetError):
                    is_closed = True
            if is_closed:
                done[i] = (time.monotonic() - start, answer)
        time.sleep(0.2)
    return done


def test_drip_fed_headers_are_cut_off_within_the_deadline(service):
    sockets = [connect(service) for _ in range(30)]
    try:
        for sock in sockets:
            sock.send(b"GET /healthz HTTP/1.1\r\nHost: service\r\n")
        done = drip(sockets, give_up_s=10)
        assert len(done) == len(sockets), f"{len(sockets) - len(done)} of {len(sockets)} drip-fed connections still open after 10 s"
        assert max(t for t, _ in done.values()) < CLOSED_WITHIN_S, sorted(t for t, _ in done.values())
        assert all(answer.startswith(b"HTTP/1.1 408") for _, answer in done.values())
    finally:
        for sock in sockets:
            sock.close()


def test_a_connection_that_sends_nothing_is_closed(service):
    sock = connect(service)
    try:
        done = drip([sock], give_up_s=10, piece=None)
        assert done and done[0][0] < CLOSED_WITHIN_S, "a silent connection stayed open"
    finally:
        sock.close()


def test_a_body_that_never_completes_is_cut_off(service):
    sock = connect(service)
    try:
        sock.send(b"POST /api/v1/areas HTTP/1.1\r\nHost: service\r\ncontent-type: application/json\r\n"
                  b"content-length: 1000\r\n\r\n{\"code\": ")
        done = drip([sock], give_up_s=10, piece=b" ")
        assert done and done[0][0] < CLOSED_WITHIN_S, "a drip-fed body kept its connection"
    finally:
        sock.close()


def test_oversized_headers_are_refused_with_431(service):
    sock = connect(service)
    try:
        sock.setblocking(True)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: service\r\n" + b"X-Big: " + b"a" * 70_000 + b"\r\n")
        sock.settimeout(5)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    finally:
        sock.close()


def test_a_prompt_client_is_served_and_its_kept_alive_connection_reused(service):
    with httpx.Client(base_url=service.url, timeout=10) as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(DEADLINE_S + 0.5)   # idle between requests is the keep-alive timeout's business (5 s)
        assert client.get("/healthz").status_code == 200
        body = {"code": "X" * 10}
        assert client.post("/api/v1/areas", json=body).status_code == 401   # a complete body: answered
