"""Identity at the boundary, as an attacker tries it: tokens signed with a secret that ships with the
code, tokens that never expire, two residents sharing one identity, and (production) tokens of the
district's identity provider verified through its published keys only."""

from __future__ import annotations

import http.server
import json
import os
import stat
import threading
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from org_registry.app import create_app
from org_registry.settings import Settings
from yizhou_platform import cli
from yizhou.auth import SHIPPED_SECRETS, TokenVerifier, UnsafeTokenSettings, decode_token, mint_token
from yizhou.errors import Unauthenticated
from yizhou_platform.testing import TEST_JWT_SECRET, serve

AREA = "CY"


@pytest.mark.parametrize("secret", sorted(SHIPPED_SECRETS) + ["", "short-but-not-32-bytes"])
async def test_a_service_does_not_start_with_a_shipped_empty_or_short_secret(make_settings, secret):
    with pytest.raises(UnsafeTokenSettings):
        async with serve(create_app(make_settings(Settings, jwt_secret=secret))):
            pass


def test_the_default_settings_have_no_secret_that_works(monkeypatch):
    monkeypatch.delenv("JWT_SECRET", raising=False)
    with pytest.raises(UnsafeTokenSettings):
        TokenVerifier.from_settings(Settings())


def _claims(**over):
    now = int(time.time())
    return {"sub": f"u-{uuid.uuid4().hex[:8]}", "role": "district_admin", "area": AREA, "iss": "yizhou",
            "iat": now, "exp": now + 600, "jti": uuid.uuid4().hex, **over}


@pytest.mark.parametrize("over", [
    {"exp": 253402300799},                      # the year 9999
    {"exp": str(int(time.time()) + 600)},        # a number written as a string
    {"exp": int(time.time()) + 13 * 3600},       # past the 12 h the platform allows
    {"iat": "yesterday"},
    {"sub": ""},
])
async def test_a_token_outside_the_rules_is_401(make_settings, over):
    token = jwt.encode(_claims(**over), TEST_JWT_SECRET, algorithm="HS256")
    async with serve(create_app(make_settings(Settings))) as client:
        response = await client.get("/api/v1/areas", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.json()["type"] == "urn:yizhou:problem:unauthenticated"


def test_the_longest_lifetime_is_a_setting():
    token = mint_token("s" * 32, role="resident", area=AREA, ttl_s=3 * 3600)
    assert decode_token("s" * 32, token, max_ttl_s=4 * 3600).role == "resident"
    with pytest.raises(Unauthenticated):
        decode_token("s" * 32, token, max_ttl_s=3600)


def test_yizhou_token_makes_a_new_person_each_time_unless_told_who(tmp_path, monkeypatch):
    monkeypatch.setenv("JWT_SECRET", "x" * 40)
    runner = CliRunner()

    def subject(*args):
        result = runner.invoke(cli.app, ["token", "--role", "resident", "--area", "G1", *args])
        assert result.exit_code == 0, result.output
        return jwt.decode(result.output.strip(), "x" * 40, algorithms=["HS256"], issuer="yizhou")["sub"]

    first, second = subject(), subject()
    assert first != second and first.startswith("resident-") and first.endswith("@G1")
    assert subject("--subject", "wang-wu") == "wang-wu"
    too_long = runner.invoke(cli.app, ["token", "--role", "resident", "--area", "G1", "--ttl", str(13 * 3600)])
    assert too_long.exit_code != 0
    monkeypatch.setenv("JWT_SECRET", sorted(SHIPPED_SECRETS)[0])
    assert runner.invoke(cli.app, ["token", "--role", "district_admin", "--area", "CY"]).exit_code != 0


def test_make_run_makes_one_random_secret_per_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("JWT_SECRET", raising=False)
    one, again, other = cli.local_secret(tmp_path / "a"), cli.local_secret(tmp_path / "a"), cli.local_secret(tmp_path / "b")
    assert one == again != other and len(one.encode()) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "a" / cli.SECRET_FILE).st_mode) == 0o600  # this user's only


@pytest.fixture
def identity_provider():
    """An identity provider's signing key and its published key set (JWKS) on a local HTTP server."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Keys(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def sign(claims, kid="k1", signing_key=key):
        return jwt.encode(claims, signing_key, algorithm="RS256", headers={"kid": kid})

    yield f"http://127.0.0.1:{server.server_address[1]}/certs", sign
    server.shutdown()


async def test_tokens_of_the_identity_provider_are_verified_by_its_published_keys(identity_provider):
    url, sign = identity_provider
    verifier = TokenVerifier(jwks_url=url, issuer="yizhou")
    caller = await verifier.verify(sign(_claims(sub="staff-7", role="community_worker", area="CY01")))
    assert (caller.subject, caller.role, caller.area) == ("staff-7", "community_worker", "CY01")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for bad in (sign(_claims(), signing_key=stranger),            # not the provider's key
                sign(_claims(), kid="unknown"),                   # a key it never published
                sign(_claims(exp=int(time.time()) + 24 * 3600)),  # longer than the platform allows
                jwt.encode(_claims(), "s" * 32, algorithm="HS256", headers={"kid": "k1"})):  # a shared secret
        with pytest.raises(Unauthenticated):
            await verifier.verify(bad)


async def test_an_audience_when_configured_is_required(identity_provider):
    url, sign = identity_provider
    verifier = TokenVerifier(jwks_url=url, issuer="yizhou", audience="yizhou-platform")
    assert (await verifier.verify(sign(_claims(aud="yizhou-platform")))).role == "district_admin"
    for claims in (_claims(), _claims(aud="another-app")):
        with pytest.raises(Unauthenticated):
            await verifier.verify(sign(claims))


async def test_a_revoked_token_is_refused_by_every_service_within_seconds(make_settings, kafka_bootstrap, unique_code):
    from demand_intake.app import create_app as demand_intake_app
    from demand_intake.settings import Settings as DemandIntakeSettings
    from yizhou_platform.testing import eventually

    district = unique_code("R")

    def bearer(role, subject):
        return {"Authorization": "Bearer " + mint_token(TEST_JWT_SECRET, role=role, area=district, subject=subject)}

    admin, stolen = bearer("district_admin", "admin-1"), bearer("district_admin", "clerk-9")
    jti = jwt.decode(stolen["Authorization"].split()[1], options={"verify_signature": False})["jti"]
    async with serve(create_app(make_settings(Settings))) as org, \
            serve(demand_intake_app(make_settings(DemandIntakeSettings))) as demands:
        created = await org.post("/api/v1/areas", json={"code": district, "name": "吊销区", "level": "district"},
                                 headers=admin)
        assert created.status_code == 201, created.text

        async def works_everywhere():
            return all([(await c.get("/api/v1/areas", headers=stolen)).status_code == 200 for c in (org, demands)])

        await eventually(works_everywhere, timeout_s=60, interval_s=0.5)  # demand-intake's copy of the axis
        refused = await org.post("/api/v1/token-revocations", json={"jti": jti},
                                 headers=bearer("community_worker", "worker-1"))
        assert refused.status_code == 403, refused.text
        past = await org.post("/api/v1/token-revocations", json={"jti": jti, "expires_at": "2020-01-01T00:00:00Z"},
                              headers=admin)
        assert past.status_code == 422, past.text
        revoked = await org.post("/api/v1/token-revocations", json={"jti": jti}, headers=admin)
        assert revoked.status_code == 201, revoked.text

        async def refused_everywhere():
            for client in (org, demands):
                response = await client.get("/api/v1/areas", headers=stolen)
                assert response.status_code == 401, response.text
                assert "revoked" in response.json()["detail"]
            return True

        await eventually(refused_everywhere, timeout_s=60, interval_s=0.5)
        assert (await demands.get("/api/v1/areas", headers=admin)).status_code == 200  # only that token
        listed = (await org.get("/api/v1/token-revocations", headers=admin)).json()
        assert jti in {r["jti"] for r in listed}
