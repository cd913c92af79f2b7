"""Deadlines for receiving a request, in the HTTP server itself: drip-fed headers (slowloris) and bodies
are cut off.

uvicorn has no such timeout: `timeout_keep_alive` runs only between requests (after a response), and
every byte received cancels it, so a client that sends one header byte every few seconds, or nothing
after connecting, holds its connection for as long as it likes. ASGI middleware cannot help either:
the app is called only once the headers are complete. So the services run uvicorn with these protocol
classes (`--http yizhou.slow_clients:GuardedHTTPProtocol`, or `UVICORN_HTTP=...`; the launcher of
`make run` and the tests, and the image's environment, set it). They are uvicorn's own protocols with
three limits added (`yizhou.traffic_settings.TrafficSettings`, 0 turns one off):

- `REQUEST_HEADER_TIMEOUT_S`: the request line and headers must be complete this long after the
  connection opened, or, on a kept-alive connection, after the request's first byte. Otherwise the
  server answers 408 and closes the connection.
- `REQUEST_BODY_TIMEOUT_S`: the body must be complete this long after the headers; otherwise the
  connection is closed (the app, if reading, sees the client gone).
- `REQUEST_HEADER_MAX_BYTES`: headers still incomplete after this many bytes are answered 431 and
  the connection closed (h11 has a limit of its own; httptools has none).

A response that takes long is not limited here: the deadlines end when the request has arrived whole.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from yizhou.observability import SLOW_CLIENTS_CLOSED
from yizhou.traffic_settings import TrafficSettings

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover  (uvicorn without httptools)
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

log = logging.getLogger(__name__)

_SETTINGS: TrafficSettings | None = None


def _settings() -> TrafficSettings:
    global _SETTINGS
    if _SETTINGS is None:   # read once per process, from the same environment as the service's settings
        _SETTINGS = TrafficSettings()
    return _SETTINGS


def _answer(status: str, text: str) -> bytes:
    body = text.encode()
    return (f"HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
            f"content-length: {len(body)}\r\n\r\n").encode() + body


_ANSWERS = {
    408: _answer("408 Request Timeout", "The request did not arrive in time.\n"),
    431: _answer("431 Request Header Fields Too Large", "The request headers are too large.\n"),
}


class _Deadlines:
    """Mixed into a uvicorn HTTP protocol. Phases of the request on the connection: "headers" (waiting
    for the line and headers), "body" (headers in, body not yet complete), None (nothing owed)."""

    transport: asyncio.Transport
    cycle: Any

    def _init_deadlines(self) -> None:
        limits = _settings()
        self._header_timeout = limits.request_header_timeout_s
        self._body_timeout = limits.request_body_timeout_s
        self._header_max = limits.request_header_max_bytes
        self._phase: str | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._header_bytes = 0

    def _arm(self, phase: str | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._phase = phase
        if phase == "headers":
            self._header_bytes = 0
        timeout = {"headers": self._header_timeout, "body": self._body_timeout}.get(phase or "", 0)
        if timeout > 0:
            self._timer = asyncio.get_running_loop().call_later(timeout, self._expired, phase)

    def _expired(self, phase: str) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        SLOW_CLIENTS_CLOSED.labels(phase).inc()
        log.debug("closed a connection whose request %s did not arrive in time", phase,  # counted in metrics
                 extra={"client": _client(self.transport)})
        self._close(408 if phase == "headers" else None)

    def _close(self, status: int | None) -> None:
        # An answer only while no response of the app's is under way on this connection.
        if status is not None and (self.cycle is None or self.cycle.response_complete):
            self.transport.write(_ANSWERS[status])
        self.transport.close()

    # --- protocol events -------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm("headers")   # a connection that sends nothing is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._arm(None)
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        if self._phase is None:
            self._arm("headers")   # the first byte of the next request on a kept-alive connection
        if self._phase == "headers":
            self._header_bytes += len(data)
        super().data_received(data)  # type: ignore[misc]
        if (self._phase == "headers" and self._header_max and self._header_bytes > self._header_max
                and not self.transport.is_closing()):
            SLOW_CLIENTS_CLOSED.labels("header_size").inc()
            self._arm(None)
            self._close(431)

    def _headers_complete(self) -> None:
        self._arm("body")

    def _message_complete(self) -> None:
        self._arm(None)


def _client(transport: asyncio.Transport) -> str:
    peer = transport.get_extra_info("peername")
    return f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) and len(peer) >= 2 else "?"


if HttpToolsProtocol is not None:
    class GuardedHttpToolsProtocol(_Deadlines, HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._init_deadlines()

        def on_headers_complete(self) -> None:
            self._headers_complete()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._message_complete()
            super().on_message_complete()


class GuardedH11Protocol(_Deadlines, H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_deadlines()
        next_event = self.conn.next_event

        def observed():   # h11 has no callbacks: the deadlines follow the events uvicorn takes from it
            event = next_event()
            kind = type(event).__name__
            if kind == "Request":
                self._headers_complete()
            elif kind == "EndOfMessage":
                self._message_complete()
            return event

        self.conn.next_event = observed  # type: ignore[method-assign]


# What `--http yizhou.slow_clients:GuardedHTTPProtocol` picks: httptools where it is installed (uvicorn's
# own "auto" choice, and what `uvicorn[standard]` brings), h11 otherwise.
GuardedHTTPProtocol: type[asyncio.Protocol] = (GuardedHttpToolsProtocol if HttpToolsProtocol is not None  # type: ignore[assignment]
                                               else GuardedH11Protocol)
