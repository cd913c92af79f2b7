#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine: `docker compose config -q`
# if the compose plugin is there, else Debian's docker-compose package (installed
# on demand, needs root). Exits non-zero if the file is invalid.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
compose_file="${1:-$repo_root/docker-compose.yml}"

log() { echo "[compose] $*" >&2; }

if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
    compose=(docker compose)
else
    if ! command -v docker-compose >/dev/null; then
        log "installing Debian's docker-compose package"
        export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
        if ! apt-get install -y -qq docker-compose >/dev/null 2>&1; then
            apt-get update -qq
            apt-get install -y -qq docker-compose >/dev/null
        fi
    fi
    compose=(docker-compose)
fi

log "$("${compose[@]}" version 2>/dev/null | head -n1)"
# Validation only: the variables Compose requires (`${VAR:?}`) get placeholders if the caller has none;
# a real deployment sets them (docs/operations.md).
export JWT_SECRET="${JWT_SECRET:-placeholder-for-compose-validation-only-000000}"
export GRAFANA_ADMIN_PASSWORD="${GRAFANA_ADMIN_PASSWORD:-placeholder-for-compose-validation-only}"
for var in KAFKA_ADMIN_PASSWORD KAFKA_PASSWORD_ORG_REGISTRY KAFKA_PASSWORD_DEMAND_INTAKE \
    KAFKA_PASSWORD_PROJECT_MATCHING KAFKA_PASSWORD_DUAL_REGISTRATION KAFKA_PASSWORD_PARTNER_DEMO; do
    export "$var=${!var:-placeholder-for-compose-validation-only}"
done
"${compose[@]}" -f "$compose_file" --project-directory "$(dirname "$compose_file")" config -q
log "$(basename "$compose_file") is valid ($("${compose[@]}" -f "$compose_file" --project-directory "$(dirname "$compose_file")" config --services | tr '\n' ' '))"
