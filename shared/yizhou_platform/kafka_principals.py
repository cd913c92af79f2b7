"""Kafka principals of a secured bus: a username and password per service and per partner.

The principals file (`KAFKA_PRINCIPALS_FILE`, JSON `{"org-registry": {"username": .., "password": ..}}`)
is written by `yizhou bus init` and is how a test run, or the launcher on a secured broker, hands each
service process its own credentials (production passes them as each service's KAFKA_SASL_* secrets).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from yizhou.bus import KafkaAccess

PRINCIPALS_FILE_ENV = "KAFKA_PRINCIPALS_FILE"


@dataclass
class Principals:
    """Who connects: a username and password per service and per partner."""

    users: dict[str, dict[str, str]]

    @classmethod
    def generate(cls, names: Iterable[str]) -> Principals:
        return cls({name: {"username": name, "password": secrets.token_urlsafe(32)} for name in names})

    @classmethod
    def from_env(cls, names: Iterable[str]) -> Principals:
        """Passwords an operator set (Compose): KAFKA_PASSWORD_ORG_REGISTRY, KAFKA_PASSWORD_PARTNER_DEMO, ..."""
        found = {name: os.environ.get(password_variable(name)) for name in names}
        return cls({name: {"username": name, "password": password} for name, password in found.items() if password})

    @classmethod
    def load(cls, path: Path) -> Principals:
        return cls(json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(json.dumps(self.users, indent=2))

    def access(self, base: KafkaAccess, name: str) -> KafkaAccess:
        user = self.users[name]
        return base.as_user(user["username"], user["password"])

    def env(self, name: str) -> dict[str, str]:
        """The environment that makes a service process connect as itself."""
        user = self.users.get(name)
        if user is None:
            return {}
        protocol = os.environ.get("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
        return {"KAFKA_SECURITY_PROTOCOL": protocol if protocol.startswith("SASL") else "SASL_PLAINTEXT",
                "KAFKA_SASL_USERNAME": user["username"], "KAFKA_SASL_PASSWORD": user["password"]}


def password_variable(name: str) -> str:
    return "KAFKA_PASSWORD_" + name.upper().replace("-", "_")


def configured_principals() -> Principals | None:
    """The principals file the environment names, if any (a secured test run)."""
    path = os.environ.get(PRINCIPALS_FILE_ENV)
    return Principals.load(Path(path)) if path and Path(path).exists() else None
