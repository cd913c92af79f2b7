"""What operations staff deploy (docker-compose.yml) and what Prometheus scrapes stay in step: every
service as API processes and one worker process (PROCESS_ROLE), each of them scraped."""

import ipaddress
import re
from pathlib import Path

import yaml

from yizhou_platform.launcher import SERVICES

ROOT = Path(__file__).resolve().parents[2]


def test_every_service_runs_as_api_and_worker_and_prometheus_scrapes_both():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    scrape = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())["scrape_configs"]
    targets = {(t["targets"][0], t["labels"]["service"], t["labels"]["process"])
               for job in scrape for t in job["static_configs"]}
    for service in SERVICES:
        api, worker = compose[service.name], compose[f"{service.name}-worker"]
        assert api["environment"]["PROCESS_ROLE"] == "api"
        assert worker["environment"]["PROCESS_ROLE"] == "worker"
        assert api["environment"]["SERVICE_NAME"] == worker["environment"]["SERVICE_NAME"] == service.name
        assert api["command"] == worker["command"]   # one image, one app factory, two roles
        assert "ports" not in worker                 # nothing to call on a worker from outside
        for process in (api, worker):                # SIGKILL only after a stop bounded at ~20 s (Messaging.stop)
            assert int(process["stop_grace_period"].rstrip("s")) >= 25
        assert (f"{service.name}:8000", service.name, "api") in targets
        assert (f"{service.name}-worker:8000", service.name, "worker") in targets
    assert len(targets) == 2 * len(SERVICES)


def test_compose_ships_no_secret_and_publishes_only_on_loopback():
    """A `docker compose up` without configuration must not start a platform anyone can sign tokens
    for, nor publish an API, the broker or Grafana on every interface."""
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)["services"]
    env = compose[SERVICES[0].name]["environment"]
    assert env["JWT_SECRET"].startswith("${JWT_SECRET:?"), env["JWT_SECRET"]  # required: no default value
    for name, service in compose.items():
        for port in service.get("ports", []):
            host = str(port).rsplit(":", 2)[0]
            assert host in ("127.0.0.1", "${API_BIND:-127.0.0.1}"), (name, port)
    grafana = compose["grafana"]["environment"]
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")


def test_compose_runs_an_authenticated_bus_with_one_principal_per_service():
    """No anonymous client, no topic created by a typo, and each service as itself (issue 18)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    listeners = (ROOT / "deploy/kafka/listeners-compose.properties").read_text()
    broker = (ROOT / "deploy/kafka/server.properties.template").read_text()
    assert "PLAINTEXT:PLAINTEXT" not in listeners and ":PLAINTEXT," not in listeners
    assert "allow.everyone.if.no.acl.found=false" in listeners
    assert "auto.create.topics.enable=false" in broker
    assert compose["kafka"]["environment"]["KAFKA_ADMIN_PASSWORD"].startswith("${KAFKA_ADMIN_PASSWORD:?")
    assert compose["kafka-init"]["command"][:3] == ["yizhou", "bus", "init"]
    users = set()
    for service in SERVICES:
        for process in (compose[service.name], compose[f"{service.name}-worker"]):
            env = process["environment"]
            assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
            assert env["KAFKA_SASL_USERNAME"] == service.name
            variable = "KAFKA_PASSWORD_" + service.name.upper().replace("-", "_")
            assert env["KAFKA_SASL_PASSWORD"].startswith("${" + variable + ":?")  # required, no default
            assert compose["kafka-init"]["environment"][variable].startswith("${" + variable + ":?")
            assert process["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
            users.add(env["KAFKA_SASL_USERNAME"])
    assert len(users) == len(SERVICES)


def test_the_gateway_routes_every_service_under_its_prefix_from_one_origin():
    """Compose's one origin (issue 20): `/<service>/...` reaches that service's API processes with the
    prefix stripped; gzip and a body limit on the way; the services trust X-Forwarded-For from it only."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    gateway = compose["services"]["gateway"]
    caddyfile = (ROOT / "deploy/gateway/Caddyfile").read_text()
    assert gateway["image"] == "caddy:2.8"
    assert "./deploy/gateway/Caddyfile:/etc/caddy/Caddyfile:ro" in gateway["volumes"]
    assert "${API_BIND:-127.0.0.1}:8080:8080" in gateway["ports"]
    routes = dict(re.findall(r"handle_path /([a-z-]+)/\* \{\s*reverse_proxy ([a-z-]+):8000\s*\}", caddyfile))
    assert routes == {s.name: s.name for s in SERVICES}, routes   # handle_path strips the prefix
    for service in SERVICES:
        assert compose["services"][service.name]["environment"]["PROCESS_ROLE"] == "api"   # not the workers
        assert service.name in gateway["depends_on"]
        assert compose["services"][service.name]["environment"]["FORWARDED_ALLOW_IPS"] == \
            gateway["networks"]["default"]["ipv4_address"]
    assert re.search(r"^\s*encode [a-z ]*gzip", caddyfile, re.M)
    assert re.search(r"request_body \{\s*max_size \d+MB\s*\}", caddyfile)
    # The gateway's fixed address is outside the range other containers get theirs from.
    subnet = compose["networks"]["default"]["ipam"]["config"][0]
    fixed = ipaddress.ip_address(gateway["networks"]["default"]["ipv4_address"])
    assert fixed in ipaddress.ip_network(subnet["subnet"]) and fixed not in ipaddress.ip_network(subnet["ip_range"])
