"""The secured event bus: one SCRAM principal per service and per partner, the ACLs that let each do
only its part, and the topics created once with their partitions and retention (`yizhou bus init`).

What each service may do is derived, never typed: it writes the topics it owns (`TOPIC_OWNERS`,
partner topics included) and the dead letters of what it reads, and reads what it subscribes to
(`ServiceParts.kafka_topics`, the same list the service ensures at start). Its consumer groups are
those named after it (prefix). A partner reads `yizhou.partner.*` in groups named after it and
nothing else. Anything not granted is refused by the broker (`allow.everyone.if.no.acl.found=false`).

Who the principals are and how a process gets its credentials: `yizhou_platform.kafka_principals`.
"""

from __future__ import annotations

import importlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from yizhou.bus import KafkaAccess, topic_configs
from yizhou.events import TOPIC_PREFIX
from yizhou.service_app import KafkaTopics
from yizhou_platform.kafka_principals import Principals
from yizhou_platform.launcher import SERVICES

PARTNER_TOPIC_PREFIX = f"{TOPIC_PREFIX}.partner."
# Retention and min.insync.replicas per topic: `yizhou.bus.topic_configs` (the services create and check
# topics with the same).


@dataclass(frozen=True)
class Grant:
    """One ACL: `principal` may `operation` on the `resource` named `name` (exactly, or as a prefix)."""

    principal: str
    operation: str  # READ, WRITE, DESCRIBE, IDEMPOTENT_WRITE
    resource: str  # TOPIC, GROUP, CLUSTER
    name: str
    prefixed: bool = False


def service_topics() -> dict[str, KafkaTopics]:
    """Every service's topics, read from the service as it is built (nothing started)."""
    found = {}
    for spec in SERVICES:
        app_module = importlib.import_module(f"{spec.package}.app")
        settings_module = importlib.import_module(f"{spec.package}.settings")
        # A throwaway secret: building the app checks nothing; the topics do not depend on it.
        settings = settings_module.Settings(jwt_secret=secrets.token_hex(32))
        found[spec.name] = app_module.create_app(settings).state.parts.kafka_topics()
    return found


def service_grants(user: str, service: str, topics: KafkaTopics) -> list[Grant]:
    grants = [Grant(user, "IDEMPOTENT_WRITE", "CLUSTER", "kafka-cluster"),
              Grant(user, "READ", "GROUP", service, prefixed=True)]
    for topic in sorted(topics.writes):
        grants += [Grant(user, "WRITE", "TOPIC", topic), Grant(user, "DESCRIBE", "TOPIC", topic)]
    for topic in sorted(topics.reads):
        grants += [Grant(user, "READ", "TOPIC", topic), Grant(user, "DESCRIBE", "TOPIC", topic)]
    return grants


def partner_grants(user: str) -> list[Grant]:
    return [Grant(user, "READ", "TOPIC", PARTNER_TOPIC_PREFIX, prefixed=True),
            Grant(user, "DESCRIBE", "TOPIC", PARTNER_TOPIC_PREFIX, prefixed=True),
            Grant(user, "READ", "GROUP", user, prefixed=True)]


def topic_settings(topics: Iterable[str], min_insync_replicas: int = 1) -> dict[str, dict[str, str]]:
    return {t: topic_configs(t, min_insync_replicas) for t in sorted(set(topics))}


def plan(principals: Principals, topics: dict[str, KafkaTopics]) -> list[Grant]:
    service_names = {s.name for s in SERVICES}
    grants: list[Grant] = []
    for name, user in principals.users.items():
        if name in service_names:
            grants += service_grants(user["username"], name, topics[name])
        else:
            grants += partner_grants(user["username"])
    return grants


def apply(admin_access: KafkaAccess, principals: Principals, grants: list[Grant], topics: dict[str, dict[str, str]],
          *, partitions: int, replication_factor: int) -> dict[str, int]:
    """Creates the topics, the SCRAM users and the ACLs as the cluster's admin; idempotent."""
    from kafka.admin import (
        ACL,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        KafkaAdminClient,
        NewTopic,
        ResourcePattern,
        ResourceType,
        ScramMechanism,
        UserScramCredentialUpsertion,
    )

    options = {"bootstrap_servers": admin_access.bootstrap, "security_protocol": admin_access.security_protocol,
               "client_id": "yizhou-bus-init", "request_timeout_ms": 30000}
    if admin_access.security_protocol.startswith("SASL"):
        options |= {"sasl_mechanism": admin_access.sasl_mechanism, "sasl_plain_username": admin_access.username,
                    "sasl_plain_password": admin_access.password}
    if admin_access.security_protocol.endswith("SSL") and admin_access.ssl_cafile:
        options["ssl_cafile"] = admin_access.ssl_cafile
    admin = KafkaAdminClient(**options)
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(t, num_partitions=partitions, replication_factor=replication_factor, topic_configs=cfg)
                   for t, cfg in topics.items() if t not in existing]
        if missing:
            admin.create_topics(missing, raise_errors=False)
        users = 0
        if admin_access.security_protocol.startswith("SASL"):
            mechanism = ScramMechanism[admin_access.sasl_mechanism.replace("-", "_")]
            admin.alter_user_scram_credentials([
                UserScramCredentialUpsertion(u["username"], mechanism, u["password"], iterations=8192)
                for u in principals.users.values()])
            users = len(principals.users)
            admin.create_acls([
                ACL(f"User:{g.principal}", "*", ACLOperation[g.operation], ACLPermissionType.ALLOW,
                    ResourcePattern(ResourceType[g.resource], g.name,
                                    ACLResourcePatternType.PREFIXED if g.prefixed else ACLResourcePatternType.LITERAL))
                for g in grants])
        return {"topics_created": len(missing), "topics": len(topics), "users": users,
                "acls": len(grants) if users else 0}
    finally:
        admin.close()
