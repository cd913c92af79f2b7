"""org-registry's token revocations on `yizhou.tokens.v1` (key: the token id, `jti`).

Every service reads `token.revoked` into its own list and refuses the token within seconds
(yizhou.revocations). Internal only: partners never see it.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import Field

from yizhou.events import EventData, topic_name

TOKENS_TOPIC = topic_name("tokens")


class TokenRevoked(EventData):
    event_type: ClassVar[str] = "token.revoked"
    topic: ClassVar[str] = TOKENS_TOPIC

    jti: str = Field(min_length=1, max_length=100, description="The revoked token's id (its `jti` claim)")
    expires_at: datetime = Field(description="Until when the revocation is kept: the token's own end at the latest")
    revoked_at: datetime


TOKEN_EVENTS: list[type[EventData]] = [TokenRevoked]
