"""One-time check-in codes a community issues for a service event; each admits one member once,
until it expires. The QR payload carries the same code for scanning."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlparse

from dual_registration.domain.errors import CheckinCodeExpired, CheckinCodeUsed, RuleViolation

# Crockford base32 without I, L, O, U: read aloud or typed without confusion.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: unguessable within a code's lifetime
QR_SCHEME = "yizhou"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """Tolerates what people type: lower case, spaces and dashes, O for 0, I/L for 1."""
    cleaned = code.upper().replace("-", "").replace(" ", "").translate(str.maketrans("OIL", "011"))
    if len(cleaned) != CODE_LENGTH or any(c not in ALPHABET for c in cleaned):
        raise RuleViolation(f"'{code}' is not a check-in code ({CODE_LENGTH} letters and digits).")
    return cleaned


def qr_payload(code: str, community_code: str, expires_at: datetime) -> str:
    query = urlencode({"code": code, "community": community_code, "exp": int(expires_at.timestamp())})
    return f"{QR_SCHEME}://checkin?{query}"


def code_from_qr(payload: str) -> str:
    parsed = urlparse(payload)
    codes = parse_qs(parsed.query).get("code")
    if parsed.scheme != QR_SCHEME or parsed.netloc != "checkin" or not codes:
        raise RuleViolation("Not a Yizhou check-in QR payload.")
    return normalize_code(codes[0])


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime
    used_at: datetime | None


def check_usable(issued: IssuedCode, now: datetime) -> None:
    if issued.used_at is not None:
        raise CheckinCodeUsed(f"Check-in code {issued.code} was already used at {issued.used_at.isoformat()}.")
    if now >= issued.expires_at:
        raise CheckinCodeExpired(f"Check-in code {issued.code} expired at {issued.expires_at.isoformat()}.")
