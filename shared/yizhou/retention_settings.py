"""How long the platform's own tables keep their rows (`yizhou.retention`, docs/operations.md "Retention").
A mixin of `ServiceSettings`; 0 keeps a table forever."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RetentionSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    outbox_retention_days: float = Field(default=7, ge=0, validation_alias="OUTBOX_RETENTION_DAYS")
    inbox_retention_days: float = Field(default=30, ge=0, validation_alias="INBOX_RETENTION_DAYS")
    # A retry with the same Idempotency-Key gets the first answer at least this long.
    idempotency_key_retention_hours: float = Field(default=7 * 24, ge=0, validation_alias="IDEMPOTENCY_KEY_RETENTION_HOURS")
    # Finished webhook deliveries (org-registry's partner log); pending ones are never purged.
    webhook_delivery_retention_days: float = Field(default=30, ge=0, validation_alias="WEBHOOK_DELIVERY_RETENTION_DAYS")
    retention_interval_s: float = Field(default=600, gt=0, validation_alias="RETENTION_INTERVAL_S")
    retention_batch_size: int = Field(default=1000, ge=1, le=100_000, validation_alias="RETENTION_BATCH_SIZE")
