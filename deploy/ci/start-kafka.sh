#!/usr/bin/env bash
# Start a single-node KRaft Apache Kafka broker on 127.0.0.1:9092 without Docker
# (KAFKA_SECURITY=sasl: SCRAM principals and ACLs, see deploy/kafka/listeners-sasl.properties).
#
#   deploy/ci/start-kafka.sh          # fetch jars (Maven), format storage, start, wait
#   deploy/ci/stop-kafka.sh           # stop it again
#
# Kafka comes from Maven Central via deploy/kafka/pom.xml (cached in ~/.m2).
# Running it again after a stop (or a crash/kill -9) reuses the same data dir,
# so tests can restart the broker:  deploy/ci/start-kafka.sh  (same env), or by hand
#   java -Xmx512m -cp "$KAFKA_HOME_CP/*" kafka.Kafka "$KAFKA_CONFIG" &
# Settings: see deploy/ci/kafka-env.sh.
set -euo pipefail

# shellcheck source=deploy/ci/kafka-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh"

fetch_jars() {
    local pom="$KAFKA_DEPLOY_DIR/pom.xml" stamp="$KAFKA_HOME_CP/.pom.sha256" want
    want="$(sha256sum "$pom" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && compgen -G "$KAFKA_HOME_CP/kafka_2.13-*.jar" >/dev/null; then
        return 0
    fi
    kafka_log "fetching Kafka jars with Maven into $KAFKA_HOME_CP"
    rm -rf "$KAFKA_HOME_CP"
    mkdir -p "$KAFKA_HOME_CP"
    local attempt
    for attempt in 1 2 3; do
        if mvn -q -B -f "$pom" dependency:copy-dependencies \
            -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME_CP" >"$KAFKA_WORK_DIR/mvn.log" 2>&1; then
            echo "$want" >"$stamp"
            return 0
        fi
        cat "$KAFKA_WORK_DIR/mvn.log" >&2
        kafka_log "mvn failed (attempt $attempt), retrying"
        sleep $((attempt * 5))
    done
    kafka_log "could not fetch Kafka with Maven"
    return 1
}

render_config() {
    mkdir -p "$(dirname "$KAFKA_CONFIG")" "$KAFKA_DATA_DIR"
    local listeners="$KAFKA_DEPLOY_DIR/listeners-$KAFKA_SECURITY.properties" admin_password="" controller_password=""
    [[ -f "$listeners" ]] || { kafka_log "KAFKA_SECURITY must be plaintext or sasl, not '$KAFKA_SECURITY'"; return 1; }
    if [[ "$KAFKA_SECURITY" == sasl ]]; then
        admin_password="$(kafka_admin_password)"
        controller_password="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    fi
    (umask 077 && cat "$KAFKA_DEPLOY_DIR/server.properties.template" "$listeners" | sed \
        -e "s#@KAFKA_DATA_DIR@#$KAFKA_DATA_DIR#g" \
        -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" \
        -e "s#@KAFKA_CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
        -e "s#@KAFKA_ADMIN_USER@#$KAFKA_ADMIN_USER#g" \
        -e "s#@KAFKA_ADMIN_PASSWORD@#$admin_password#g" \
        -e "s#@KAFKA_CONTROLLER_PASSWORD@#$controller_password#g" \
        >"$KAFKA_CONFIG.tmp")
    mv "$KAFKA_CONFIG.tmp" "$KAFKA_CONFIG"
}

format_storage() {
    if [[ -f "$KAFKA_DATA_DIR/meta.properties" ]]; then
        kafka_log "storage already formatted in $KAFKA_DATA_DIR"
        return 0
    fi
    local cluster_id="${KAFKA_CLUSTER_ID:-}" scram=()
    [[ -n "$cluster_id" ]] || cluster_id="$(kafka_tool kafka.tools.StorageTool random-uuid)"
    # SCRAM credentials live in the cluster's metadata: the admin's is written at format time,
    # every other principal is added by `yizhou bus init` as that admin.
    [[ "$KAFKA_SECURITY" != sasl ]] || scram=(--add-scram "SCRAM-SHA-512=[name=$KAFKA_ADMIN_USER,password=$(kafka_admin_password)]")
    kafka_log "formatting KRaft storage (cluster id $cluster_id, security $KAFKA_SECURITY)"
    kafka_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONFIG" --standalone "${scram[@]}" >&2
}

wait_ready() {
    local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
    kafka_log "waiting (up to ${KAFKA_START_TIMEOUT}s) for the broker on 127.0.0.1:$KAFKA_PORT"
    while ((SECONDS < deadline)); do
        if ! kafka_alive "$pid"; then
            kafka_log "broker process $pid exited during start-up; last log lines:"
            tail -n 60 "$KAFKA_LOG_FILE" >&2 || true
            return 1
        fi
        if kafka_port_open "$KAFKA_PORT" &&
            timeout 60 bash -c 'source "$1"; kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$2" $(kafka_tool_client_args) --list >/dev/null' \
                _ "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh" "$KAFKA_PORT" 2>/dev/null; then
            kafka_log "broker ready (pid $pid) after $((SECONDS - start_s))s"
            return 0
        fi
        sleep 1
    done
    kafka_log "broker not ready after ${KAFKA_START_TIMEOUT}s; last log lines:"
    tail -n 60 "$KAFKA_LOG_FILE" >&2 || true
    return 1
}

start_s=$SECONDS
mkdir -p "$KAFKA_WORK_DIR"

if pid="$(kafka_running_pid)"; then
    kafka_log "already running (pid $pid, from $KAFKA_PID_FILE)"
    wait_ready "$pid"
    exit 0
fi
for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if kafka_port_open "$port"; then
        kafka_log "port $port on 127.0.0.1 is already in use by another process; stop it first"
        exit 1
    fi
done

command -v java >/dev/null || { kafka_log "java not found (need Java 17+)"; exit 1; }
command -v mvn >/dev/null || { kafka_log "mvn not found"; exit 1; }

fetch_jars
render_config
format_storage

kafka_log "starting Kafka $(kafka_tool kafka.Kafka --version 2>/dev/null | head -n1) (log: $KAFKA_LOG_FILE)"
# Redirect all standard streams so that the broker holds no pipe of the caller open.
# shellcheck disable=SC2086
java $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    "-Dlog4j2.configurationFile=$KAFKA_LOG4J_CONFIG" \
    -cp "$KAFKA_HOME_CP/*" kafka.Kafka "$KAFKA_CONFIG" \
    </dev/null >>"$KAFKA_LOG_FILE" 2>&1 &
pid=$!
echo "$pid" >"$KAFKA_PID_FILE"

if ! wait_ready "$pid"; then
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$KAFKA_PID_FILE"
    exit 1
fi
