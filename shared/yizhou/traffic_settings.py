"""Settings of the traffic guards every service shares: rate limits (`yizhou.rate_limits`) and the
slow-client deadlines of the HTTP server (`yizhou.slow_clients`). A mixin of `ServiceSettings`; the
server protocol reads it on its own (it runs before any service's settings exist). 0 turns a limit off.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class TrafficSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Per token (its JWT subject), in a sliding minute: writes are POST, PUT, PATCH and DELETE; reads
    # the rest. Per client address: every request, a token's or not. Health and metrics are exempt.
    rate_limit_token_writes_per_minute: int = Field(default=3000, ge=0, validation_alias="RATE_LIMIT_TOKEN_WRITES_PER_MINUTE")
    rate_limit_token_reads_per_minute: int = Field(default=6000, ge=0, validation_alias="RATE_LIMIT_TOKEN_READS_PER_MINUTE")
    rate_limit_address_per_minute: int = Field(default=6000, ge=0, validation_alias="RATE_LIMIT_ADDRESS_PER_MINUTE")
    # Addresses (comma-separated CIDRs) the per-address limit leaves alone: this machine by default (a
    # gateway on the host, `make run`, the tests). Their tokens' limits still hold.
    rate_limit_exempt_networks: str = Field(default="127.0.0.0/8,::1/128", validation_alias="RATE_LIMIT_EXEMPT_NETWORKS")

    # The HTTP server (uvicorn with `yizhou.slow_clients`' protocol): a request's line and headers must
    # have arrived this long after the connection opened (or after its first byte, on a kept-alive
    # connection), its body this long after its headers, and its headers must fit in this many bytes.
    request_header_timeout_s: float = Field(default=10.0, ge=0, validation_alias="REQUEST_HEADER_TIMEOUT_S")
    request_body_timeout_s: float = Field(default=30.0, ge=0, validation_alias="REQUEST_BODY_TIMEOUT_S")
    request_header_max_bytes: int = Field(default=64 * 1024, ge=0, validation_alias="REQUEST_HEADER_MAX_BYTES")

    @field_validator("rate_limit_exempt_networks")
    @classmethod
    def _networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)   # a typo stops the service from starting
        return value

    @property
    def rate_limit_exempt(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        return [ipaddress.ip_network(p.strip(), strict=False) for p in self.rate_limit_exempt_networks.split(",") if p.strip()]
