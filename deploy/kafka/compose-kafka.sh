#!/usr/bin/env bash
# Entry point of the apache/kafka container in docker-compose.yml: the same broker as CI's
# (server.properties.template) with the Compose listeners, SASL SCRAM-SHA-512 and ACLs
# (listeners-compose.properties). The admin principal is written into the cluster's metadata when
# the storage is formatted (first start); every other principal and its ACLs come from the
# `kafka-init` service (`yizhou bus init`).
set -euo pipefail
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD (docs/operations.md)}"
KAFKA_BIN="${KAFKA_BIN:-/opt/kafka/bin}"
KAFKA_ADMIN_USER="${KAFKA_ADMIN_USER:-yizhou-admin}"
data="${KAFKA_DATA_DIR:-/var/lib/kafka/data}" config="${KAFKA_CONFIG_OUT:-/tmp/server.properties}" here="$(dirname "${BASH_SOURCE[0]}")"
controller_password="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

umask 077
cat "$here/server.properties.template" "$here/listeners-compose.properties" | sed \
    -e "s#@KAFKA_DATA_DIR@#$data#g" -e "s#@KAFKA_CONTROLLER_PORT@#9093#g" \
    -e "s#@KAFKA_ADMIN_USER@#$KAFKA_ADMIN_USER#g" -e "s#@KAFKA_ADMIN_PASSWORD@#$KAFKA_ADMIN_PASSWORD#g" \
    -e "s#@KAFKA_CONTROLLER_PASSWORD@#$controller_password#g" >"$config"
# The healthcheck's client settings (kafka-broker-api-versions.sh --command-config).
cat >/tmp/admin-client.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_ADMIN_USER" password="$KAFKA_ADMIN_PASSWORD";
PROPS

if [[ ! -f "$data/meta.properties" ]]; then
    "$KAFKA_BIN/kafka-storage.sh" format -t "${KAFKA_CLUSTER_ID:-$("$KAFKA_BIN/kafka-storage.sh" random-uuid)}" \
        -c "$config" --standalone --add-scram "SCRAM-SHA-512=[name=$KAFKA_ADMIN_USER,password=$KAFKA_ADMIN_PASSWORD]"
fi
exec "$KAFKA_BIN/kafka-server-start.sh" "$config"
