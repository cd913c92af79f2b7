"""Settings of browser access every service shares: which web origins may call the API from a page
(CORS, `yizhou.browser_access`). A mixin of `ServiceSettings`. Empty (the default) sends no CORS
headers at all: only a gateway on the same origin, or a non-browser client, reaches the API.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class BrowserSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Comma-separated origins (scheme://host[:port]) whose pages may call the API, e.g.
    # "https://portal.example.gov.cn,http://localhost:3000". `make run` allows the usual local dev servers.
    cors_allow_origins: str = Field(default="", validation_alias="CORS_ALLOW_ORIGINS")

    @field_validator("cors_allow_origins")
    @classmethod
    def _origins(cls, value: str) -> str:
        for origin in _split(value):
            # A typo (a path, a trailing slash, no scheme) would silently match no browser: refuse to start.
            parts = urlsplit(origin)
            if origin != "*" and (parts.scheme not in ("http", "https") or not parts.netloc
                                  or parts.path or parts.query or parts.fragment):
                raise ValueError(f"CORS_ALLOW_ORIGINS: '{origin}' is not an origin (scheme://host[:port])")
        return value

    @property
    def cors_origins(self) -> list[str]:
        return _split(self.cors_allow_origins)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]
