"""Kafka clients: who a client is (`KafkaAccess`), the producer (idempotence follows the broker) and
topic creation.

On a secured cluster every client authenticates (SASL SCRAM-SHA-512, optionally over TLS) as its
own principal, and the broker's ACLs decide what it may read and write (`yizhou bus init` grants
them); on the embedded broker and a laptop's PLAINTEXT Kafka, `KafkaAccess` is just the bootstrap.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)

SECURITY_PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL")

# Event topics keep everything: read models and partners are rebuilt by replaying them from the start
# (`yizhou rebuild`), so a broker default of seven days would silently lose history. Dead letters are
# for operators to redrive within a month.
EVENT_RETENTION_MS = -1
DEAD_LETTER_RETENTION_MS = 30 * 24 * 3600 * 1000


def topic_configs(topic: str, min_insync_replicas: int = 1) -> dict[str, str]:
    """The configuration every topic of the platform is created with (and checked against at start)."""
    retention = DEAD_LETTER_RETENTION_MS if topic.endswith(".dlq") else EVENT_RETENTION_MS
    return {"retention.ms": str(retention), "min.insync.replicas": str(min_insync_replicas)}


@dataclass(frozen=True)
class KafkaAccess:
    """How one client reaches the cluster and whom it authenticates as."""

    bootstrap: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None

    def __post_init__(self) -> None:
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise ValueError(f"KAFKA_SECURITY_PROTOCOL must be one of {', '.join(SECURITY_PROTOCOLS)}")
        if self.security_protocol.startswith("SASL") and not (self.username and self.password):
            raise ValueError(f"{self.security_protocol} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")

    @classmethod
    def from_env(cls, bootstrap: str | None = None) -> KafkaAccess:
        """Tools and tests: the principal the environment names (the admin, in CI)."""
        env = os.environ
        return cls(bootstrap=bootstrap or env.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"),
                   security_protocol=env.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
                   sasl_mechanism=env.get("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
                   username=env.get("KAFKA_SASL_USERNAME") or None, password=env.get("KAFKA_SASL_PASSWORD") or None,
                   ssl_cafile=env.get("KAFKA_SSL_CAFILE") or None)

    @classmethod
    def of(cls, access: KafkaAccess | str) -> KafkaAccess:
        return access if isinstance(access, KafkaAccess) else cls.from_env(access)

    def as_user(self, username: str, password: str) -> KafkaAccess:
        """The same cluster as another principal (a service, a partner)."""
        protocol = self.security_protocol if self.security_protocol.startswith("SASL") else "SASL_PLAINTEXT"
        return KafkaAccess(self.bootstrap, protocol, self.sasl_mechanism, username, password, self.ssl_cafile)

    def client_options(self) -> dict[str, Any]:
        """Keyword arguments for any aiokafka client (producer, consumer, admin)."""
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap, "security_protocol": self.security_protocol}
        if self.security_protocol.startswith("SASL"):
            options |= {"sasl_mechanism": self.sasl_mechanism, "sasl_plain_username": self.username,
                        "sasl_plain_password": self.password}
        if self.security_protocol.endswith("SSL"):
            options["ssl_context"] = ssl.create_default_context(cafile=self.ssl_cafile)
        return options


def kafka_options(access: KafkaAccess | str) -> dict[str, Any]:
    """`client_options` of an access, or of a bare bootstrap with the environment's principal."""
    return KafkaAccess.of(access).client_options()


async def start_producer(access: KafkaAccess | str, idempotence: str = "auto", client_id: str = "yizhou") -> AIOKafkaProducer:
    """Starts a producer with acks=all; idempotent where the broker supports InitProducerId.

    Apache Kafka does; Tansu (the embedded broker) does not, so "auto" falls back to a plain
    producer there. Duplicates a plain producer might make are absorbed by consumers' inboxes.
    """
    common = {**kafka_options(access), "client_id": client_id, "acks": "all", "request_timeout_ms": 15000,
              "max_batch_size": 1 << 20, "linger_ms": 2}
    if idempotence in ("auto", "on"):
        producer = AIOKafkaProducer(**common, enable_idempotence=True)
        sender_log = logging.getLogger("aiokafka.producer.sender")
        level = sender_log.level
        sender_log.setLevel(logging.CRITICAL)  # the refusal is expected on Tansu; we log it once, below
        try:
            await producer.start()
            producer.full_kafka = True  # type: ignore[attr-defined]
            return producer
        except KafkaError as exc:
            await producer.stop()
            if idempotence == "on":
                raise
            log.warning("broker refused an idempotent producer (%s); using acks=all without it", exc)
        finally:
            sender_log.setLevel(level)
    producer = AIOKafkaProducer(**common)
    await producer.start()
    producer.full_kafka = False  # type: ignore[attr-defined]  # refused, or not asked
    return producer


def supports_full_protocol(producer: AIOKafkaProducer) -> bool:
    """True on Apache Kafka (it granted an idempotent producer); False on Tansu, or when unknown."""
    return bool(getattr(producer, "full_kafka", False))


async def ensure_topics(access: KafkaAccess | str, topics: list[str], partitions: int = 3, *,
                        replication_factor: int = 1, min_insync_replicas: int = 1) -> None:
    """Creates missing topics (auto-creation is off) with `topic_configs`. On a secured cluster
    `yizhou bus init` has created them all, so a service, which may not create topics, asks for none."""
    if not topics:
        return
    admin = AIOKafkaAdminClient(**kafka_options(access), request_timeout_ms=15000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(t, num_partitions=partitions, replication_factor=replication_factor,
                            topic_configs=topic_configs(t, min_insync_replicas)) for t in topics if t not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another service created it first
    finally:
        await admin.close()


async def topic_config_mismatches(access: KafkaAccess | str, topics: list[str],
                                  min_insync_replicas: int = 1) -> list[str] | None:
    """Where the cluster's topics differ from `topic_configs` (a topic someone created by hand with the
    broker's seven-day retention, say): one line per difference; None when the broker cannot say."""
    if not topics:
        return []
    admin = AIOKafkaAdminClient(**kafka_options(access), request_timeout_ms=15000)
    await admin.start()
    try:
        responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    except Exception as exc:  # noqa: BLE001  (a broker without DescribeConfigs, or no DESCRIBE_CONFIGS ACL)
        log.info("topic configurations not checked: %s: %s", type(exc).__name__, exc)
        return None
    finally:
        await admin.close()
    found: dict[str, dict[str, str]] = {}
    for response in responses:
        for resource in response.resources:
            error_code, name, entries = resource[0], resource[3], resource[4]
            if error_code == 0:
                found[name] = {entry[0]: entry[1] for entry in entries}
    if not found:
        return None  # no topic described (no DESCRIBE_CONFIGS on them): nothing known
    mismatches = []
    for topic in topics:
        actual = found.get(topic, {})
        for key, expected in topic_configs(topic, min_insync_replicas).items():
            if key in actual and actual[key] != expected:
                mismatches.append(f"{topic}: {key} is {actual[key]}, expected {expected}")
    return mismatches


async def broker_reachable(access: KafkaAccess | str, timeout_s: float = 4.0) -> bool:
    """Readiness: fresh metadata from the cluster within a short timeout."""
    admin = AIOKafkaAdminClient(**kafka_options(access), request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), timeout_s)
        await asyncio.wait_for(admin.list_topics(), timeout_s)
        return True
    except Exception:
        return False
    finally:
        try:
            await admin.close()
        except Exception:
            pass


async def partitions_of(consumer: AIOKafkaConsumer, topics: list[str], attempts: int = 50) -> list[TopicPartition]:
    """Every partition of the topics, refreshing metadata until each topic is known (a fresh
    consumer without a subscription may not have fetched metadata for them yet)."""
    partitions = []
    for topic in topics:
        found = consumer.partitions_for_topic(topic)
        for _ in range(attempts):
            if found:
                break
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.1)
            found = consumer.partitions_for_topic(topic)
        partitions += [TopicPartition(topic, p) for p in sorted(found or ())]
    return partitions


async def read_to_end(consumer: AIOKafkaConsumer, partitions, max_records: int | None = None):
    """Yields the fetched records of these partitions (assigned and positioned by the caller), one
    partition's list at a time, until every one is at its end. An end offset read once may lag the last
    writes on some brokers (the embedded one), so a partition counts as done only when a fetch comes
    back empty and fresh end offsets agree."""
    remaining = set(partitions)
    while remaining:
        batch = await consumer.getmany(*remaining, timeout_ms=1000, max_records=max_records)
        for records in batch.values():
            yield records
        if not batch:
            ends = await consumer.end_offsets(list(remaining))
            remaining = {tp for tp in remaining if await consumer.position(tp) < ends[tp]}
