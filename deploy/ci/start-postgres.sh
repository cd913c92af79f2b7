#!/usr/bin/env bash
# Install (Debian package) and start a local PostgreSQL, then create the role
# and the four service databases. Idempotent; needs root (apt-get, runuser).
#
#   deploy/ci/start-postgres.sh
#   DATABASE_URL=postgresql+asyncpg://yizhou:yizhou@127.0.0.1:5432/postgres
#
# Settings: PG_ROLE / PG_PASSWORD (yizhou / yizhou), PG_PORT (5432).
set -euo pipefail

PG_ROLE="${PG_ROLE:-yizhou}"
PG_PASSWORD="${PG_PASSWORD:-yizhou}"
PG_PORT="${PG_PORT:-5432}"
PG_DATABASES=(org_registry demand_intake project_matching dual_registration)

log() { echo "[postgres] $*" >&2; }

if [[ "$(id -u)" != 0 ]]; then
    log "must run as root (apt-get, pg_ctlcluster, runuser)"
    exit 1
fi

if ! command -v pg_lsclusters >/dev/null || ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
    log "installing PostgreSQL from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive NEEDRESTART_SUSPEND=1
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
fi

# Newest installed server version, e.g. 15
PG_VERSION="$(ls /usr/lib/postgresql/ | sort -V | while read -r v; do
    [[ -x "/usr/lib/postgresql/$v/bin/postgres" ]] && echo "$v"; done | tail -n1)"
[[ -n "$PG_VERSION" ]] || { log "no PostgreSQL server binaries under /usr/lib/postgresql"; exit 1; }

# Use the cluster on PG_PORT if there is one, else create 'main' on it.
cluster_line="$(pg_lsclusters -h | awk -v port="$PG_PORT" '$3 == port {print; exit}')"
if [[ -z "$cluster_line" ]]; then
    log "creating cluster $PG_VERSION/main on port $PG_PORT"
    pg_createcluster "$PG_VERSION" main --port "$PG_PORT" >/dev/null
    cluster_line="$(pg_lsclusters -h | awk -v port="$PG_PORT" '$3 == port {print; exit}')"
fi
read -r cl_version cl_name _ cl_status _ <<<"$cluster_line"

if [[ "$cl_status" != online* ]]; then
    log "starting cluster $cl_version/$cl_name"
    # pg_ctlcluster run as root starts the server as the cluster's owner (postgres).
    pg_ctlcluster "$cl_version" "$cl_name" start
fi

psql_admin() {
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres "$@"
}

for _ in $(seq 1 60); do
    if runuser -u postgres -- pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then break; fi
    sleep 1
done
runuser -u postgres -- pg_isready -h 127.0.0.1 -p "$PG_PORT" >&2

log "ensuring role $PG_ROLE and databases ${PG_DATABASES[*]}"
psql_admin -v role="$PG_ROLE" -v password="$PG_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN SUPERUSER CREATEDB PASSWORD %L', :'role', :'password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I LOGIN SUPERUSER CREATEDB PASSWORD %L', :'role', :'password') \gexec
SQL
for db in "${PG_DATABASES[@]}"; do
    psql_admin -v role="$PG_ROLE" -v db="$db" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'role') \gexec
SQL
done

# Check the TCP + password path the services use.
PGPASSWORD="$PG_PASSWORD" psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_ROLE" -d postgres -tAc 'SELECT 1' >/dev/null
log "ready: postgresql://$PG_ROLE:***@127.0.0.1:$PG_PORT/postgres ($cl_version/$cl_name)"
