"""Builds one service's FastAPI app: the same middleware, health, metrics, errors and lifecycle
(migrations, topics, outbox relay, consumers) for all four services."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from yizhou.asyncapi import build_document
from yizhou.auth import TokenVerifier
from yizhou.browser_access import add_browser_middleware, add_docs_pages
from yizhou.bus import broker_reachable, ensure_topics, start_producer, supports_full_protocol, topic_config_mismatches
from yizhou.clock import Clock, SystemClock
from yizhou.consumer import EventConsumer, Subscription
from yizhou.database import Database
from yizhou.events import dead_letter_topic
from yizhou.list_parameters import reject_unknown_parameters
from yizhou.logs import configure_logging
from yizhou.migrations import upgrade_to_head
from yizhou.observability import TOPIC_CONFIG_MISMATCHES
from yizhou.http_metrics import MetricsMiddleware, metrics_endpoint
from yizhou.labels import labels_router
from yizhou.openapi_document import complete_document
from yizhou.openapi_links import add_links
from yizhou.partner import partner_topics
from yizhou.problems import install_problem_handlers, problem_response
from yizhou.rate_limits import RateLimitMiddleware
from yizhou.relay import OutboxRelay
from yizhou.request_limits import BodySizeLimitMiddleware
from yizhou.retention import RetentionRule, retention_task
from yizhou.revocations import REVOCATION_SUBSCRIPTIONS, RevocationList
from yizhou.settings import ServiceSettings
from yizhou.topic_owners import owner_of, service_source

log = logging.getLogger(__name__)

AreaPaths = Callable[[AsyncSession, str], Awaitable[str | None]]


@dataclass
class ServiceParts:
    """What makes one service different from the others."""

    settings: ServiceSettings
    title: str
    description: str
    routers: list[APIRouter]
    migrations: Path
    area_paths: AreaPaths
    published_topics: list[str] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    # Extra long-running tasks of the service (e.g. a deadline sweeper), started with the app.
    background: list[Callable[[Database, ServiceSettings], Awaitable[None]]] = field(default_factory=list)
    # The service's own tables with a retention window besides the outbox, inbox and idempotency keys
    # (`yizhou.retention`; org-registry's webhook log).
    retained: Callable[[ServiceSettings], list[RetentionRule]] | None = None
    version: str = "0.1.0"
    # Time for the use cases (`yizhou.dependencies.ClockDep`): the system's, or a test's ManualClock.
    clock: Clock = field(default_factory=SystemClock)

    def kafka_topics(self) -> KafkaTopics:
        """What the service writes and reads: the topics it ensures at start and the broker ACLs of its
        principal (`yizhou bus init`). It writes the topics it owns (partner ones included) and the dead
        letters of what it reads; it reads what it subscribes to, the token revocations included."""
        source = service_source(self.settings.service_name)
        reads = {sub.topic for sub in [*self.subscriptions, *REVOCATION_SUBSCRIPTIONS]}
        owned = {t for t in [*self.published_topics, *partner_topics()] if owner_of(t) == source}
        return KafkaTopics(writes=frozenset(owned | {dead_letter_topic(t) for t in reads}), reads=frozenset(reads))


@dataclass(frozen=True)
class KafkaTopics:
    writes: frozenset[str]
    reads: frozenset[str]

    @property
    def all(self) -> list[str]:
        return sorted(self.writes | self.reads)


class Messaging:
    """Producer, relay and consumer of one service; started in the background so the API serves
    (and accepts writes into the outbox) even while the broker is still down."""

    def __init__(self, parts: ServiceParts, db: Database) -> None:
        self.parts = parts
        self.db = db
        # Every service keeps the list of revoked tokens (yizhou.revocations) besides its own reading.
        self.subscriptions = [*parts.subscriptions, *REVOCATION_SUBSCRIPTIONS]
        self.producer: AIOKafkaProducer | None = None
        self.relay: OutboxRelay | None = None
        self.consumer: EventConsumer | None = None
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        if not self.parts.settings.runs_background:
            return
        self._tasks.append(asyncio.create_task(self._connect_and_run(), name="messaging"))
        for task in [*self.parts.background, retention_task(self.parts.retained)]:
            self._tasks.append(asyncio.create_task(task(self.db, self.parts.settings), name=task.__name__))

    async def _connect_and_run(self) -> None:
        s = self.parts.settings
        topics = self.parts.kafka_topics().all
        delay = 0.5
        while True:
            try:
                await ensure_topics(s.kafka_access, topics, s.topic_partitions,
                                    replication_factor=s.topic_replication_factor,
                                    min_insync_replicas=s.topic_min_insync_replicas)
                await _check_topic_configs(s, topics)
                self.producer = await start_producer(s.kafka_access, s.kafka_idempotence, s.service_name)
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("broker not reachable yet (%s: %s); retrying", type(exc).__name__, exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)
        if s.relay_enabled:
            self.relay = OutboxRelay(self.db, self.producer, service=s.service_name,
                                     batch_size=s.relay_batch_size, idle_poll_s=s.relay_idle_poll_s,
                                     linger_s=s.relay_linger_s)
            self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        if s.consumer_enabled and self.subscriptions:
            self.consumer = EventConsumer(self.db, access=s.kafka_access, group=s.consumer_group,
                                          subscriptions=self.subscriptions, producer=self.producer,
                                          max_attempts=s.consumer_max_attempts,
                                          group_membership=s.kafka_consumer_groups == "on" or (
                                              s.kafka_consumer_groups == "auto" and supports_full_protocol(self.producer)))
            self._tasks.append(asyncio.create_task(self.consumer.run(), name="consumer"))

    async def stop(self, grace_s: float = 10.0) -> None:
        for task in reversed(self._tasks):
            task.cancel()
        # Bounded: a task that does not wind down in time (e.g. a Kafka consumer leaving its group in
        # the middle of a rebalance) is named in the log and left behind, so the process still stops.
        done, pending = await asyncio.wait(self._tasks, timeout=grace_s) if self._tasks else (set(), set())
        for task in pending:
            stack = "".join(f"\n  {frame.f_code.co_filename}:{frame.f_lineno} {frame.f_code.co_name}"
                            for frame in task.get_stack())
            log.warning("background task %s did not stop within %g s; left behind at:%s",
                        task.get_name(), grace_s, stack)
        for task in done:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                task.result()
        if self.producer is not None:
            # Bounded too: with the broker gone, aiokafka retries the in-flight batches for as long as it
            # is let (a SIGTERM then never ended the process). Nothing is lost by giving up: the relay
            # marks outbox rows published only once acknowledged, so they go out after the next start.
            try:
                async with asyncio.timeout(grace_s):
                    await self.producer.stop()
            except TimeoutError:
                log.warning("the producer did not stop within %g s (broker unreachable?); its unacknowledged "
                            "messages stay in the outbox and are published after the next start", grace_s)
            except Exception:   # noqa: BLE001  (stopping anyway)
                log.exception("the producer failed to stop cleanly")


async def _check_topic_configs(s: ServiceSettings, topics: list[str]) -> None:
    """Says, in the log and `kafka_topic_config_mismatches`, where a topic differs from what the platform
    needs (retention kept for ever, min.insync.replicas); the service starts anyway: it is an operator's fix."""
    mismatches = await topic_config_mismatches(s.kafka_access, topics, s.topic_min_insync_replicas)
    if mismatches is None:
        return
    TOPIC_CONFIG_MISMATCHES.labels(service=s.service_name).set(len(mismatches))
    for line in mismatches:
        log.warning("topic configuration differs: %s (fix with kafka-configs.sh --alter)", line)


def build_app(parts: ServiceParts) -> FastAPI:
    settings = parts.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        configure_logging(settings.service_name, settings.log_level, settings.log_json)
        app.state.tokens = TokenVerifier.from_settings(settings)  # unsafe token settings: the service does not start
        if settings.resolved_database_url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url, settings.database_pool_timeout_s, settings.database_pool_size)
        await _migrate_when_reachable(db, parts.migrations)
        messaging = Messaging(parts, db)
        app.state.db = db
        app.state.tokens.revocations = RevocationList(db)
        app.state.messaging = messaging
        await messaging.start()
        # What exists now (modules, routes, models, schemas) lives as long as the process: out of the
        # cycle collector's reach, its full collections stop rescanning it (they paused requests ~80 ms).
        gc.collect()
        gc.freeze()
        log.info("service started", extra={"database": db.engine.url.render_as_string(hide_password=True)})
        try:
            yield
        finally:
            gc.unfreeze()   # back within reach (matters where apps come and go in one process: tests)
            await messaging.stop()
            await db.dispose()

    title, description = parts.title, parts.description
    if settings.process_role == "worker":
        title = f"{parts.title} (worker)"
        description = ("The service's worker process: outbox relay, consumers and background tasks. "
                       "Its API is served by the service's API processes.")
    app = FastAPI(title=title, description=description, version=parts.version, lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json", dependencies=[Depends(reject_unknown_parameters)])
    app.state.settings = settings
    app.state.parts = parts  # what the service is made of (`yizhou bus init` reads its topics)
    app.state.clock = parts.clock
    app.state.area_paths = parts.area_paths

    def openapi_with_links() -> dict:
        if app.openapi_schema is None:
            # FastAPI's document made truthful (problems, operationIds, tags, servers), then the links by those ids.
            app.openapi_schema = add_links(complete_document(FastAPI.openapi(app), service=settings.service_name,
                                                             routers=parts.routers))
        return app.openapi_schema

    app.openapi = openapi_with_links
    app.state.scope_paths = {}   # yizhou.dependencies.get_scope's per-process memory
    install_problem_handlers(app)
    app.add_middleware(MetricsMiddleware, service=settings.service_name)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=1 << 20)
    app.add_middleware(RateLimitMiddleware, settings=settings, service=settings.service_name)  # before the body is read
    add_browser_middleware(app, settings)   # gzip, and CORS outside the limits: a 429 stays readable to the page
    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID")

    ops = APIRouter(tags=["operations"])

    @ops.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": settings.service_name}

    @ops.get("/readyz", summary="Readiness: database (and broker, if this process publishes or consumes) reachable",
             responses={503: {"description": "A dependency is down (problem+json)"}})
    async def readyz(request: Request):
        checks = {"database": "ok"}
        try:
            await asyncio.wait_for(request.app.state.db.ping(), 3)
        except Exception as exc:
            checks["database"] = f"down: {type(exc).__name__}"
        if settings.runs_background:   # an API process never talks to the broker: its writes wait in the outbox
            checks["broker"] = "ok" if await broker_reachable(settings.kafka_access) else "down"
        if all(v == "ok" for v in checks.values()):
            return JSONResponse({"status": "ready", "checks": checks})
        return problem_response(request, "unavailable", "Not ready: " + ", ".join(f"{k} {v}" for k, v in checks.items() if v != "ok"),
                                checks=checks)

    @ops.get("/asyncapi.json", summary="AsyncAPI 3.0 contract of the partner event topics")
    async def asyncapi_document() -> dict:
        return build_document()

    ops.add_api_route("/metrics", metrics_endpoint, methods=["GET"], include_in_schema=False)
    app.include_router(ops)
    add_docs_pages(app)   # /docs and /redoc on the service's own assets, not a CDN
    for router in [*parts.routers, labels_router(settings)] if settings.serves_api else []:
        app.include_router(router)
    return app


async def _migrate_when_reachable(db: Database, migrations: Path) -> None:
    delay = 0.5
    for attempt in range(30):
        try:
            await upgrade_to_head(db.engine, migrations)
            return
        except (OSError, ConnectionError) as exc:
            log.warning("database not reachable (%s); retry %d", exc, attempt + 1)
        except Exception as exc:
            if "connect" not in str(exc).lower():
                raise
            log.warning("database not reachable (%s); retry %d", exc, attempt + 1)
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5)
    await upgrade_to_head(db.engine, migrations)
