"""The district's language (`yizhou.labels`; docs/api.md "Languages"): what labels and problem answers
speak when a request's `Accept-Language` names none the platform has. A mixin of `ServiceSettings`.
The languages the platform speaks are named here, without a web framework: every layer imports settings."""

from __future__ import annotations

from babel.core import negotiate_locale
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_LANGUAGE = "zh-CN"
SOURCE_LANGUAGE = "en"   # message ids are English: an English answer needs no catalog
# Babel's lower-case identifier -> the language tag answers carry (`Content-Language`).
LANGUAGES = {"zh_cn": "zh-CN", "en": "en"}
ALIASES = {"zh": "zh_cn"}   # Chinese without a region: the district's simplified Chinese


def spoken_language(tags: list[str]) -> str | None:
    """The first of `tags` (in order of preference) the platform speaks, by Babel's negotiation; each tag is
    tried before its language alone (zh-TW's reader is better served by zh-CN than by English)."""
    candidates = [form for tag in tags for form in (tag.replace("-", "_"), tag.replace("-", "_").split("_")[0]) if tag]
    found = negotiate_locale(candidates, list(LANGUAGES), aliases=ALIASES) if candidates else None
    return LANGUAGES[found.lower()] if found else None


def supported_language(value: str) -> str | None:
    """The tag of a language the platform speaks (`zh_CN`, `zh`, `en-US` ...), or None."""
    return spoken_language([value.strip()])


class LanguageSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # "zh-CN" or "en" (also spelt zh_CN, zh, en-US ...): the people of the district read Chinese.
    district_language: str = Field(default=DEFAULT_LANGUAGE, validation_alias="DISTRICT_LANGUAGE")

    @field_validator("district_language")
    @classmethod
    def _supported(cls, value: str) -> str:
        # A language without a catalog would answer English unannounced: refuse to start instead.
        language = supported_language(value)
        if language is None:
            raise ValueError(f"DISTRICT_LANGUAGE: '{value}' is not one of zh-CN, en")
        return language
