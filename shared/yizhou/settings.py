"""Settings every service shares; each service extends them with its name and its own URL."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from yizhou.bus import KafkaAccess

from yizhou.browser_settings import BrowserSettings  # which web origins may call the API (CORS)
from yizhou.district_settings import DistrictSettings  # the district's time zone and holiday calendar
from yizhou.language_settings import LanguageSettings  # the district's language (labels, problem answers)
from yizhou.retention_settings import RetentionSettings  # how long the platform's own tables keep rows
from yizhou.traffic_settings import TrafficSettings  # rate limits and slow-client deadlines


class ServiceSettings(TrafficSettings, RetentionSettings, BrowserSettings, DistrictSettings, LanguageSettings,
                      BaseSettings):
    """Read from the environment (and `.env`); a service subclass sets `service_name`."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "service"

    # A service's own URL wins; else DATABASE_URL names a server and the service uses its own
    # database on it (org_registry, demand_intake, ...); else a SQLite file under data_dir.
    own_database_url: str | None = None
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default=Path("var"), validation_alias="YIZHOU_DATA_DIR")
    database_pool_timeout_s: float = 5.0
    # Connections per process (PostgreSQL; no overflow). Four services with an API and a worker
    # process each hold 80 at most: within PostgreSQL's default max_connections of 100.
    database_pool_size: int = Field(default=10, ge=1, validation_alias="DATABASE_POOL_SIZE")

    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092", validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    # A secured cluster: the service's own principal (SASL SCRAM), whose ACLs `yizhou bus init` grants:
    # write its own topics, read what it consumes. PLAINTEXT only on loopback (the embedded broker).
    kafka_security_protocol: Literal["PLAINTEXT", "SASL_PLAINTEXT", "SASL_SSL", "SSL"] = Field(
        default="PLAINTEXT", validation_alias="KAFKA_SECURITY_PROTOCOL")
    kafka_sasl_mechanism: Literal["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"] = Field(
        default="SCRAM-SHA-512", validation_alias="KAFKA_SASL_MECHANISM")
    kafka_sasl_username: str | None = Field(default=None, validation_alias="KAFKA_SASL_USERNAME")
    kafka_sasl_password: str | None = Field(default=None, validation_alias="KAFKA_SASL_PASSWORD", repr=False)
    kafka_ssl_cafile: str | None = Field(default=None, validation_alias="KAFKA_SSL_CAFILE")
    # Tansu (the embedded broker) has no InitProducerId; "auto" tries idempotence and falls back.
    kafka_idempotence: Literal["auto", "on", "off"] = Field(default="auto", validation_alias="KAFKA_IDEMPOTENCE")
    # Consumer group membership: on Apache Kafka ("auto" decides by the broker); off on Tansu, where
    # a service runs one replica that assigns itself every partition and commits offsets under its group.
    kafka_consumer_groups: Literal["auto", "on", "off"] = Field(default="auto", validation_alias="KAFKA_CONSUMER_GROUPS")
    topic_partitions: int = Field(default=3, validation_alias="KAFKA_TOPIC_PARTITIONS")
    # Production: 3 replicas and 2 in sync, so an acknowledged event (acks=all) survives a broker's loss;
    # 1 and 1 on a single broker (the embedded one, a laptop, CI).
    topic_replication_factor: int = Field(default=1, ge=1, le=32, validation_alias="KAFKA_TOPIC_REPLICATION_FACTOR")
    topic_min_insync_replicas: int = Field(default=1, ge=1, le=32, validation_alias="KAFKA_MIN_INSYNC_REPLICAS")
    consumer_group_suffix: str = Field(default="", validation_alias="CONSUMER_GROUP_SUFFIX")

    # What this process of the service does. "all": the API and the background work (outbox relay,
    # consumers, the service's own tasks) in one process, as on a laptop. "api" / "worker": the same
    # service split in two kinds of process (Compose): API processes keep their event loop for
    # requests, and their readiness needs only the database (writes wait in the outbox); a worker
    # publishes, consumes and runs the background tasks, and serves only health and metrics.
    process_role: Literal["all", "api", "worker"] = Field(default="all", validation_alias="PROCESS_ROLE")
    relay_enabled: bool = Field(default=True, validation_alias="OUTBOX_RELAY_ENABLED")
    relay_batch_size: int = Field(default=500, validation_alias="OUTBOX_RELAY_BATCH_SIZE")
    relay_idle_poll_s: float = Field(default=0.5, validation_alias="OUTBOX_RELAY_IDLE_POLL_S")
    # How long the relay, woken by a commit, waits for more before it publishes (as Kafka's linger.ms).
    relay_linger_s: float = Field(default=0.05, ge=0, validation_alias="OUTBOX_RELAY_LINGER_S")
    consumer_enabled: bool = Field(default=True, validation_alias="CONSUMERS_ENABLED")
    consumer_max_attempts: int = Field(default=5, validation_alias="CONSUMER_MAX_ATTEMPTS")

    # No default secret: one that ships with the code lets anyone sign tokens (yizhou.auth refuses those,
    # and secrets under 32 bytes). `make run` makes a random one per data directory.
    jwt_secret: str = Field(default="", validation_alias="JWT_SECRET", repr=False)
    jwt_issuer: str = Field(default="yizhou", validation_alias="JWT_ISSUER")
    jwt_ttl_s: int = Field(default=8 * 3600, validation_alias="JWT_TTL_S")  # what `yizhou token` mints
    jwt_max_ttl_s: int = Field(default=12 * 3600, gt=0, validation_alias="JWT_MAX_TTL_S")  # longest accepted
    # Production: the district's identity provider signs tokens (RS256/ES256); services fetch its keys.
    jwt_jwks_url: str | None = Field(default=None, validation_alias="JWT_JWKS_URL")
    jwt_audience: str | None = Field(default=None, validation_alias="JWT_AUDIENCE")

    # Partners register https:// endpoints; plain http only to loopback, and only where this is on (tests, laptops).
    webhooks_allow_http_loopback: bool = Field(default=False, validation_alias="WEBHOOKS_ALLOW_HTTP_LOOPBACK")
    webhook_max_attempts: int = Field(default=8, validation_alias="WEBHOOK_MAX_ATTEMPTS")
    webhook_backoff_s: float = Field(default=5.0, validation_alias="WEBHOOK_BACKOFF_S")
    # Networks (comma-separated CIDRs) a partner endpoint may be in despite being private, plain http
    # allowed: a receiver on a laptop or a test. Empty: only public https hosts (yizhou.webhooks.egress).
    webhooks_allowed_networks: str = Field(default="", validation_alias="WEBHOOKS_ALLOWED_NETWORKS")
    webhook_max_endpoints_per_partner: int = Field(default=20, ge=1, validation_alias="WEBHOOK_MAX_ENDPOINTS_PER_PARTNER")
    webhook_max_pending_per_endpoint: int = Field(default=1000, ge=1, validation_alias="WEBHOOK_MAX_PENDING_PER_ENDPOINT")
    webhook_replay_min_interval_s: float = Field(default=60.0, ge=0, validation_alias="WEBHOOK_REPLAY_MIN_INTERVAL_S")
    webhook_replay_stale_after_s: float = Field(default=900.0, gt=0, validation_alias="WEBHOOK_REPLAY_STALE_AFTER_S")
    webhook_timeout_s: float = Field(default=10.0, gt=0, validation_alias="WEBHOOK_TIMEOUT_S")

    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    log_json: bool = Field(default=True, validation_alias="LOG_JSON")

    @model_validator(mode="after")
    def _in_sync_within_replicas(self):
        if self.topic_min_insync_replicas > self.topic_replication_factor:
            raise ValueError("KAFKA_MIN_INSYNC_REPLICAS cannot exceed KAFKA_TOPIC_REPLICATION_FACTOR: no write "
                             "could ever be acknowledged")
        return self

    @property
    def database_name(self) -> str:
        return self.service_name.replace("-", "_")

    @property
    def resolved_database_url(self) -> str:
        if self.own_database_url:
            return self.own_database_url
        if self.database_url:
            return make_url(self.database_url).set(database=self.database_name).render_as_string(hide_password=False)
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.database_name}.db').resolve()}"

    @property
    def serves_api(self) -> bool:
        return self.process_role != "worker"

    @property
    def runs_background(self) -> bool:
        """Relay, consumers and the service's background tasks (each relay/consumer flag still applies)."""
        return self.process_role != "api"

    @property
    def kafka_access(self) -> KafkaAccess:
        """Every Kafka client of this service connects with this."""
        return KafkaAccess(self.kafka_bootstrap_servers, self.kafka_security_protocol, self.kafka_sasl_mechanism,
                           self.kafka_sasl_username, self.kafka_sasl_password, self.kafka_ssl_cafile)

    @property
    def consumer_group(self) -> str:
        return f"{self.service_name}{self.consumer_group_suffix}"


def own_url_field(env_var: str):
    """The per-service database URL field, e.g. ORG_REGISTRY_DATABASE_URL."""
    return Field(default=None, validation_alias=env_var)
