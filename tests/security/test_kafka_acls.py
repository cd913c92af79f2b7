"""The authenticated bus: each service writes only the topics it owns and reads only what it
consumes; a partner reads only `yizhou.partner.*`; nobody unauthenticated gets in.

The plan is checked everywhere (it is derived from the code, so a new topic or subscription changes
it); the broker's refusals are checked where the broker is secured (CI: `.ci/run` starts Kafka with
SASL SCRAM and ACLs and runs `yizhou bus init`, naming the principals in KAFKA_PRINCIPALS_FILE).
The embedded broker has no ACLs; there the consumers' `ce_source` check (test_forged_events) is the
guard, which is why it must stay on loopback."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from yizhou.axis_events import AREAS_TOPIC
from yizhou.bus import KafkaAccess
from yizhou.contracts.demands import DEMANDS_TOPIC
from yizhou.events import dead_letter_topic
from yizhou.topic_owners import TOPIC_OWNERS, service_source
from yizhou_platform import kafka_security as ks
from yizhou_platform.kafka_principals import Principals, configured_principals

SERVICE_NAMES = ("org-registry", "demand-intake", "project-matching", "dual-registration")


@pytest.fixture(scope="module")
def topics():
    return ks.service_topics()


def grants_of(grants, principal, operation, resource="TOPIC"):
    return {(g.name, g.prefixed) for g in grants if g.principal == principal and g.operation == operation
            and g.resource == resource}


def test_each_service_may_write_only_the_topics_it_owns_and_the_dead_letters_of_what_it_reads(topics):
    grants = ks.plan(Principals.generate(SERVICE_NAMES), topics)
    for name in SERVICE_NAMES:
        written = {t for t, _ in grants_of(grants, name, "WRITE")}
        owned = {t for t in written if not t.endswith(".dlq")}
        assert owned and all(TOPIC_OWNERS[t] == service_source(name) for t in owned), name
        assert {t[:-len(".dlq")] for t in written - owned} == topics[name].reads, name
        assert not any(prefixed for _, prefixed in grants_of(grants, name, "WRITE")), name
    # the forged area of issue 18 came from outside org-registry: nobody else may write the axis
    assert [n for n in SERVICE_NAMES if (AREAS_TOPIC, False) in grants_of(grants, n, "WRITE")] == ["org-registry"]


def test_a_partner_may_read_only_partner_topics_in_its_own_groups(topics):
    grants = ks.plan(Principals.generate([*SERVICE_NAMES, "partner-x"]), topics)
    mine = [g for g in grants if g.principal == "partner-x"]
    assert {(g.operation, g.resource, g.name, g.prefixed) for g in mine} == {
        ("READ", "TOPIC", "yizhou.partner.", True), ("DESCRIBE", "TOPIC", "yizhou.partner.", True),
        ("READ", "GROUP", "partner-x", True)}


def test_topics_are_kept_for_rebuilds_and_dead_letters_for_a_month(topics):
    settings = ks.topic_settings(t for service in topics.values() for t in service.all)
    assert settings[DEMANDS_TOPIC] == {"retention.ms": "-1", "min.insync.replicas": "1"}
    assert settings[dead_letter_topic(DEMANDS_TOPIC)] == {"retention.ms": str(30 * 24 * 3600 * 1000), "min.insync.replicas": "1"}


# ------------------------------------------------------------------ against the secured broker

secured = pytest.mark.skipif(configured_principals() is None,
                             reason="needs a SASL broker with `yizhou bus init` (.ci/run starts one)")


def as_principal(bootstrap: str, name: str) -> KafkaAccess:
    principals = configured_principals()
    assert principals is not None
    return principals.access(KafkaAccess.from_env(bootstrap), name)


async def refused_publish(access: KafkaAccess, topic: str) -> KafkaError | None:
    producer = AIOKafkaProducer(**access.client_options(), request_timeout_ms=10000)
    await producer.start()
    try:
        await asyncio.wait_for(producer.send_and_wait(topic, json.dumps({"forged": True}).encode(),
                                                      key=uuid.uuid4().hex.encode()), 30)
        return None
    except KafkaError as exc:
        return exc
    finally:
        await producer.stop()


@secured
async def test_the_broker_refuses_an_event_on_the_axis_from_a_service_that_does_not_own_it(kafka_bootstrap):
    error = await refused_publish(as_principal(kafka_bootstrap, "dual-registration"), AREAS_TOPIC)
    assert error is not None and "Authorization" in type(error).__name__, error
    assert await refused_publish(as_principal(kafka_bootstrap, "partner-demo"), AREAS_TOPIC) is not None


@secured
async def test_the_owner_may_publish_its_own_topic(kafka_bootstrap):
    # a record no consumer applies: wrong shape, so it is dead-lettered (the owner's source is not forged here)
    assert await refused_publish(as_principal(kafka_bootstrap, "org-registry"), "yizhou.tokens.v1.dlq") is None


async def visible_topics(access: KafkaAccess, read_from: str) -> set[str]:
    """The topics the broker lets this principal see, after reading `read_from` from the start."""
    consumer = AIOKafkaConsumer(**access.client_options(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partition = TopicPartition(read_from, 0)
        consumer.assign([partition])
        await consumer.seek_to_beginning(partition)
        await asyncio.wait_for(consumer.getmany(partition, timeout_ms=500), 20)
        return await consumer.topics()
    finally:
        await consumer.stop()


@secured
async def test_a_partner_reads_partner_topics_and_sees_no_internal_one(kafka_bootstrap):
    visible = await visible_topics(as_principal(kafka_bootstrap, "partner-demo"), "yizhou.partner.demands.v1")
    assert "yizhou.partner.demands.v1" in visible
    assert DEMANDS_TOPIC not in visible  # names, phones, addresses: never a partner's
    assert all(t.startswith(ks.PARTNER_TOPIC_PREFIX) for t in visible), visible
    mine = await visible_topics(as_principal(kafka_bootstrap, "project-matching"), DEMANDS_TOPIC)
    assert DEMANDS_TOPIC in mine and "yizhou.tokens.v1" in mine and "yizhou.hubs.v1" not in mine


@secured
async def test_a_wrong_password_and_no_password_get_nothing(kafka_bootstrap):
    base = KafkaAccess.from_env(kafka_bootstrap)
    for access in (base.as_user("org-registry", "not-the-password"), KafkaAccess(kafka_bootstrap)):
        producer = AIOKafkaProducer(**access.client_options(), request_timeout_ms=5000, metadata_max_age_ms=5000)
        with pytest.raises((KafkaError, asyncio.TimeoutError)):
            await asyncio.wait_for(producer.start(), 15)
            await asyncio.wait_for(producer.send_and_wait(AREAS_TOPIC, b"{}"), 15)
        await producer.stop()
