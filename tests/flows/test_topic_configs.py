"""Topics are created with the platform's retention (events for ever, dead letters a month) and
min.insync.replicas, and a topic someone made by hand with other settings is reported at start."""

import uuid

from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from yizhou.bus import DEAD_LETTER_RETENTION_MS, ensure_topics, kafka_options, topic_config_mismatches
from yizhou.events import dead_letter_topic


async def test_topics_are_created_with_the_platforms_settings_and_a_hand_made_one_is_reported(kafka_bootstrap):
    topic = f"yizhou.configs-{uuid.uuid4().hex[:8]}.v1"
    await ensure_topics(kafka_bootstrap, [topic, dead_letter_topic(topic)], partitions=1)
    assert await topic_config_mismatches(kafka_bootstrap, [topic, dead_letter_topic(topic)]) == []

    by_hand = f"yizhou.by-hand-{uuid.uuid4().hex[:8]}.v1"
    admin = AIOKafkaAdminClient(**kafka_options(kafka_bootstrap))
    await admin.start()
    try:  # the broker's default-ish retention: a week, which would lose the history rebuilds replay
        await admin.create_topics([NewTopic(by_hand, 1, 1, topic_configs={"retention.ms": str(7 * 24 * 3600 * 1000)})])
    finally:
        await admin.close()
    await ensure_topics(kafka_bootstrap, [by_hand], partitions=1)  # exists already: left as it is
    mismatches = await topic_config_mismatches(kafka_bootstrap, [by_hand])
    assert mismatches == [f"{by_hand}: retention.ms is 604800000, expected -1"], mismatches
    assert str(DEAD_LETTER_RETENTION_MS) == "2592000000"


def test_more_replicas_in_sync_than_there_are_is_refused_at_start(monkeypatch):
    import pytest
    from pydantic import ValidationError

    from yizhou.settings import ServiceSettings

    monkeypatch.setenv("KAFKA_TOPIC_REPLICATION_FACTOR", "1")
    monkeypatch.setenv("KAFKA_MIN_INSYNC_REPLICAS", "2")
    with pytest.raises(ValidationError, match="cannot exceed"):
        ServiceSettings()
    monkeypatch.setenv("KAFKA_TOPIC_REPLICATION_FACTOR", "3")
    assert ServiceSettings().topic_min_insync_replicas == 2
