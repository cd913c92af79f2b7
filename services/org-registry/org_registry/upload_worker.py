"""Uploaded sheets parsed in a worker process with limits, never in the service's own process.

An upload comes from anyone with an editor's token, so parsing it must not be able to stall or bloat the
API: the zip directory check (`sheets.check_archive`) refuses what promises too much, and what passes is
parsed here, in a process of its own (pebble's pool, a fresh process per upload so nothing of one
tenant's file stays for the next), under a wall-clock limit (the process is killed past it), an address
space limit (`RLIMIT_AS`: an allocation past it is a MemoryError in the worker, not swap in the API) and a
row limit. Parsed once: the rows come back as a list the import reads as often as it needs.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import resource
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from pebble import ProcessExpired, ProcessPool

from org_registry.sheets import SheetFormat, UnreadableSheet, read_rows

Rows = list[tuple[int, dict[str, str]]]


@dataclass(frozen=True)
class UploadLimits:
    timeout_s: float
    memory_mib: int
    max_rows: int
    max_unpacked: int


def parse_sheet(body: bytes, fmt: SheetFormat, limits: UploadLimits) -> tuple[list[str], Rows]:
    """Runs in the worker: the header and every row, or UnreadableSheet with the reason."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_mib << 20, hard))
    try:
        header, iterator = read_rows(io.BytesIO(body), fmt, max_unpacked=limits.max_unpacked)
        rows: Rows = []
        for row in iterator:
            if len(rows) == limits.max_rows:
                raise UnreadableSheet(f"the sheet has more than {limits.max_rows} data rows; split it, or use the "
                                      "operator CLI (`yizhou org-registry import`)")
            rows.append(row)
        return header, rows
    except MemoryError:
        raise UnreadableSheet(f"reading the sheet needs more than {limits.memory_mib} MiB; split it") from None


class UploadWorker:
    """The pool of worker processes of one service process, started at the first upload (one per process,
    like a thread pool: `upload_worker()`)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPool | None = None
        self._lock = threading.Lock()

    def _started(self) -> ProcessPool:
        with self._lock:
            if self._pool is None or not self._pool.active:
                # forkserver: the API process has threads (the event loop's, the database driver's); forking
                # it directly could copy a held lock into the child.
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["org_registry.upload_worker"])
                self._pool = ProcessPool(max_workers=self.workers, max_tasks=1, context=context)
            return self._pool

    async def parse(self, body: bytes, fmt: SheetFormat, limits: UploadLimits) -> tuple[list[str], Rows]:
        future = self._started().schedule(parse_sheet, args=(body, fmt, limits), timeout=limits.timeout_s)
        try:
            return await asyncio.wrap_future(future)
        except FutureTimeout:
            raise UnreadableSheet(f"reading the sheet took longer than {limits.timeout_s:g} s; split it, or use the "
                                  "operator CLI (`yizhou org-registry import`)") from None
        except (ProcessExpired, BrokenProcessPool):  # killed: past its memory, or by the system
            raise UnreadableSheet("the sheet could not be read within the worker's limits") from None
        except asyncio.CancelledError:
            future.cancel()  # the client went away: pebble stops the worker too
            raise

    def stop(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.stop()
                self._pool.join()
                self._pool = None


_WORKER: UploadWorker | None = None


def upload_worker(workers: int) -> UploadWorker:
    global _WORKER
    if _WORKER is None:
        _WORKER = UploadWorker(workers)
    return _WORKER
