"""Bearer JWTs with `role` and `area` claims, and the caller's area scope.

Every query a service runs on behalf of a caller is limited to the caller's area subtree: the area
in the token and everything below it on the axis (materialized path prefix).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import jwt

from yizhou.errors import Forbidden, Unauthenticated


class Role(StrEnum):
    DISTRICT_ADMIN = "district_admin"
    SUBDISTRICT_ADMIN = "subdistrict_admin"
    COMMUNITY_WORKER = "community_worker"
    GRID_WORKER = "grid_worker"
    PARTY_MEMBER = "party_member"
    RESIDENT = "resident"
    PARTNER = "partner"


# Roles that may change the axis (create, rename, move, retire areas) inside their subtree.
AXIS_EDITORS = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN})
ALGORITHM = "HS256"


@dataclass(frozen=True)
class Caller:
    subject: str
    role: Role
    area: str


@dataclass(frozen=True)
class AreaScope:
    """The caller plus the materialized path of their area, e.g. `/110105/110105001/`."""

    caller: Caller
    path: str

    def covers(self, path: str) -> bool:
        return path.startswith(self.path)

    def covers_strictly(self, path: str) -> bool:
        return path.startswith(self.path) and path != self.path


def mint_token(secret: str, *, role: str, area: str, subject: str | None = None, ttl_s: int = 8 * 3600,
               issuer: str = "yizhou") -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": subject or f"{role}@{area}",
        "role": Role(role).value,
        "area": area,
        "iss": issuer,
        "iat": now,
        "exp": now + timedelta(seconds=ttl_s),
        "jti": str(uuid.uuid4()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


# Tokens this process has verified, until they expire: a client sends the same token with every
# request, and verifying it (signature, claims) was a twentieth of a demand submit. Keyed by the whole
# token with the secret and issuer it was checked against; failures are never kept.
_VERIFIED: dict[tuple[str, str, str], tuple[Caller, float]] = {}
_VERIFIED_MAX = 10_000


def decode_token(secret: str, token: str, issuer: str = "yizhou") -> Caller:
    key = (secret, token, issuer)
    known = _VERIFIED.get(key)
    if known is not None:
        if time.time() < known[1]:
            return known[0]
        del _VERIFIED[key]  # expired: decoding it again gives the caller the right problem
    caller, expires = _verified(secret, token, issuer)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        del _VERIFIED[next(iter(_VERIFIED))]  # the oldest first
    _VERIFIED[key] = (caller, expires)
    return caller


def _verified(secret: str, token: str, issuer: str) -> tuple[Caller, float]:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=issuer,
                            options={"require": ["exp", "sub", "iss"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("The token has expired.") from None
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"The token is not valid: {exc}.") from None
    try:
        role = Role(claims.get("role"))
    except ValueError:
        raise Unauthenticated("The token has no known role.") from None
    area = claims.get("area")
    if not isinstance(area, str) or not area:
        raise Unauthenticated("The token has no area.")
    return Caller(subject=str(claims["sub"]), role=role, area=area), float(claims["exp"])


def require_role(scope: AreaScope, roles: frozenset[Role] | set[Role], doing: str) -> None:
    """403 `forbidden` unless the caller's role is one of `roles`; the answer names the allowed ones."""
    if scope.caller.role not in roles:
        raise Forbidden(f"Role '{scope.caller.role.value}' may not {doing}; allowed: "
                        f"{', '.join(sorted(r.value for r in roles))}.")
