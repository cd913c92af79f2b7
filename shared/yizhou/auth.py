"""Bearer JWTs with `role` and `area` claims, and the caller's area scope.

Every query a service runs on behalf of a caller is limited to the caller's area subtree: the area
in the token and everything below it on the axis (materialized path prefix).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

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
    token_id: str | None = None  # the token's `jti`: what a revocation names


@dataclass(frozen=True)
class AreaScope:
    """The caller plus the materialized path of their area, e.g. `/110105/110105001/`."""

    caller: Caller
    path: str

    def covers(self, path: str) -> bool:
        return path.startswith(self.path)

    def covers_strictly(self, path: str) -> bool:
        return path.startswith(self.path) and path != self.path


# Secrets that were ever written into this repository: anyone can sign tokens with them, so no service
# accepts them, whatever their length.
SHIPPED_SECRETS = frozenset({"dev-only-secret-change-me-in-production-32b", "dev-only-insecure-jwt-secret-change-me",
                             "test-secret-for-the-suite-only-0123456789"})
MIN_SECRET_BYTES = 32
# Algorithms of an identity provider's keys (JWKS); never HS256 there: a public key is no secret.
JWKS_ALGORITHMS = ["RS256", "ES256"]


class UnsafeTokenSettings(ValueError):
    """The service would accept tokens anyone can make: it refuses to start."""


def check_signing_secret(secret: str) -> None:
    if not secret:
        raise UnsafeTokenSettings("JWT_SECRET is not set (or set JWT_JWKS_URL to verify the identity provider's "
                                  "tokens). Make one: python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    if secret in SHIPPED_SECRETS:
        raise UnsafeTokenSettings("JWT_SECRET is a value shipped with the code: anyone can sign tokens with it. "
                                  "Set a random one: python -c 'import secrets; print(secrets.token_urlsafe(48))'")
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise UnsafeTokenSettings(f"JWT_SECRET has {len(secret.encode())} bytes; at least {MIN_SECRET_BYTES} "
                                  "random bytes are needed for HS256.")


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


DEFAULT_MAX_TTL_S = 12 * 3600
CLOCK_SKEW_S = 60

# Tokens this process has verified, until they expire: a client sends the same token with every
# request, and verifying it (signature, claims) was a twentieth of a demand submit. Keyed by the whole
# token with the key and issuer it was checked against; failures are never kept.
_VERIFIED: dict[tuple[str, str, str], tuple[Caller, float]] = {}
_VERIFIED_MAX = 10_000


def decode_token(secret: str, token: str, issuer: str = "yizhou", max_ttl_s: int = DEFAULT_MAX_TTL_S) -> Caller:
    """The caller of an HS256 token signed with `secret` (the tokens `mint_token` and `yizhou token` make)."""
    return _remembered((f"hs256:{max_ttl_s}:{secret}", token, issuer),
                       lambda: _claims(jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=issuer,
                                                  options={"require": ["exp", "sub", "iss"]}), max_ttl_s))


def _remembered(key: tuple[str, str, str], verify) -> Caller:
    known = _VERIFIED.get(key)
    if known is not None:
        if time.time() < known[1]:
            return known[0]
        del _VERIFIED[key]  # expired: decoding it again gives the caller the right problem
    try:
        caller, expires = verify()
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("The token has expired.") from None
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"The token is not valid: {exc}.") from None
    if len(_VERIFIED) >= _VERIFIED_MAX:
        del _VERIFIED[next(iter(_VERIFIED))]  # the oldest first
    _VERIFIED[key] = (caller, expires)
    return caller


def _claims(claims: dict, max_ttl_s: int) -> tuple[Caller, float]:
    """The caller of verified claims, if they are a token this platform accepts: `exp` a number no further
    than the longest lifetime away (PyJWT reads `"exp": "99999999999"` as a number, and a token that
    never expires cannot be taken back), a known role, an area."""
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or isinstance(exp, bool):
        raise Unauthenticated("The token's exp is not a number.")
    if iat is not None and (not isinstance(iat, int | float) or isinstance(iat, bool)):
        raise Unauthenticated("The token's iat is not a number.")
    if exp - time.time() > max_ttl_s + CLOCK_SKEW_S:
        raise Unauthenticated(f"The token lives longer than this platform allows ({max_ttl_s} s).")
    try:
        role = Role(claims.get("role"))
    except ValueError:
        raise Unauthenticated("The token has no known role.") from None
    area = claims.get("area")
    if not isinstance(area, str) or not area:
        raise Unauthenticated("The token has no area.")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise Unauthenticated("The token has no subject.")
    jti = claims.get("jti")
    return Caller(subject=subject, role=role, area=area, token_id=jti if isinstance(jti, str) else None), float(exp)


class Revocations(Protocol):
    async def is_revoked(self, jti: str) -> bool: ...


class TokenVerifier:
    """Who a bearer token says the caller is. Either the tokens are HS256 with a shared secret (a laptop,
    CI, `yizhou token`), or the district's identity provider signs them (RS256/ES256) and the services
    hold only its public keys, fetched from `jwks_url` and cached by `kid` (rotation picks a new key up
    on its first use). Built once per app: unsafe settings stop the service from starting."""

    def __init__(self, *, secret: str = "", issuer: str = "yizhou", max_ttl_s: int = DEFAULT_MAX_TTL_S,
                 jwks_url: str | None = None, audience: str | None = None) -> None:
        self.issuer, self.max_ttl_s, self.audience = issuer, max_ttl_s, audience
        self._secret = secret
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=5) if jwks_url else None
        if self._jwks is None:
            check_signing_secret(secret)
        elif max_ttl_s <= 0:
            raise UnsafeTokenSettings("JWT_MAX_TTL_S must be positive.")

    @classmethod
    def from_settings(cls, settings) -> TokenVerifier:
        return cls(secret=settings.jwt_secret, issuer=settings.jwt_issuer, max_ttl_s=settings.jwt_max_ttl_s,
                   jwks_url=settings.jwt_jwks_url, audience=settings.jwt_audience)

    # The process's list of revoked token ids (yizhou.revocations), set once its database is open.
    revocations: Revocations | None = None

    async def verify(self, token: str) -> Caller:
        caller = await self._verified(token)
        if caller.token_id and self.revocations is not None and await self.revocations.is_revoked(caller.token_id):
            raise Unauthenticated("The token has been revoked.")
        return caller

    async def _verified(self, token: str) -> Caller:
        if self._jwks is None:
            return decode_token(self._secret, token, self.issuer, self.max_ttl_s)
        try:  # the key set is fetched (blocking) on a new kid only; PyJWKClient caches it
            key = await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"The token is not valid: {exc}.") from None
        options = {"require": ["exp", "sub", "iss"] + (["aud"] if self.audience else [])}
        return _remembered((f"jwks:{self.max_ttl_s}:{self.audience}:{key.key_id}", token, self.issuer),
                           lambda: _claims(jwt.decode(token, key.key, algorithms=JWKS_ALGORITHMS, issuer=self.issuer,
                                                      audience=self.audience, options=options), self.max_ttl_s))


def require_role(scope: AreaScope, roles: frozenset[Role] | set[Role], doing: str) -> None:
    """403 `forbidden` unless the caller's role is one of `roles`; the answer names the allowed ones."""
    if scope.caller.role not in roles:
        raise Forbidden(f"Role '{scope.caller.role.value}' may not {doing}; allowed: "
                        f"{', '.join(sorted(r.value for r in roles))}.")


REALM = "yizhou"


def bearer_challenge(authorization: str | None) -> str:
    """The `WWW-Authenticate` of a 401 (RFC 6750 section 3): `error="invalid_token"` when a bearer token
    came and was refused; no error when none came (the client has simply not authenticated yet)."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    sent = scheme.lower() == "bearer" and bool(credentials.strip())
    return f'Bearer realm="{REALM}"' + (', error="invalid_token"' if sent else "")
