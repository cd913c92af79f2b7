# shellcheck shell=bash
# Shared defaults for deploy/ci/{start,stop}-kafka.sh. Sourced, not executed.
#
# Every variable can be set by the caller; .ci/run sets and exports them so the
# tests can find (and restart) the broker:
#   KAFKA_WORK_DIR     scratch dir: data, rendered config, pid file, broker log
#   KAFKA_HOME_CP      dir holding the Kafka jars (java -cp "$KAFKA_HOME_CP/*")
#   KAFKA_CONFIG       rendered server.properties
#   KAFKA_PID_FILE     pid of the running broker
#   KAFKA_LOG_FILE     broker stdout/stderr
#   KAFKA_PORT / KAFKA_CONTROLLER_PORT   loopback ports (9092 / 9093)
#   KAFKA_HEAP_OPTS    JVM heap (-Xmx512m)
#   KAFKA_SECURITY     plaintext (anyone on loopback may do anything) or sasl (SCRAM-SHA-512
#                      principals and ACLs; CI's choice). With sasl the admin's password is
#                      KAFKA_ADMIN_PASSWORD, or generated once into $KAFKA_WORK_DIR/admin.password,
#                      and $KAFKA_WORK_DIR/admin-client.properties is what Java tools pass as
#                      --command-config (kafka_tool_client_args).

_kafka_env_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_REPO_ROOT="${KAFKA_REPO_ROOT:-$(cd "$_kafka_env_dir/../.." && pwd)}"
KAFKA_DEPLOY_DIR="$KAFKA_REPO_ROOT/deploy/kafka"

KAFKA_WORK_DIR="${KAFKA_WORK_DIR:-/tmp/yizhou-kafka}"
KAFKA_HOME_CP="${KAFKA_HOME_CP:-$KAFKA_WORK_DIR/libs}"
KAFKA_CONFIG="${KAFKA_CONFIG:-$KAFKA_WORK_DIR/server.properties}"
KAFKA_DATA_DIR="${KAFKA_DATA_DIR:-$KAFKA_WORK_DIR/data}"
KAFKA_PID_FILE="${KAFKA_PID_FILE:-$KAFKA_WORK_DIR/kafka.pid}"
KAFKA_LOG_FILE="${KAFKA_LOG_FILE:-$KAFKA_WORK_DIR/kafka.log}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m}"
KAFKA_SECURITY="${KAFKA_SECURITY:-plaintext}"
KAFKA_ADMIN_USER="${KAFKA_ADMIN_USER:-yizhou-admin}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
KAFKA_LOG4J_CONFIG="${KAFKA_LOG4J_CONFIG:-$KAFKA_DEPLOY_DIR/log4j2.yaml}"
KAFKA_TOOLS_LOG4J_CONFIG="${KAFKA_TOOLS_LOG4J_CONFIG:-$KAFKA_DEPLOY_DIR/tools-log4j2.yaml}"

# Run a Kafka tool class (quiet logging), e.g.
#   kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:9092 --list
kafka_tool() {
    java -Xmx256m -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
        "-Dlog4j2.configurationFile=$KAFKA_TOOLS_LOG4J_CONFIG" \
        -cp "$KAFKA_HOME_CP/*" "$@"
}

# The admin's password (sasl): from the environment, else generated once per work dir.
kafka_admin_password() {
    if [[ -n "${KAFKA_ADMIN_PASSWORD:-}" ]]; then
        echo "$KAFKA_ADMIN_PASSWORD"
        return
    fi
    local file="$KAFKA_WORK_DIR/admin.password"
    if [[ ! -s "$file" ]]; then
        mkdir -p "$KAFKA_WORK_DIR"
        (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$file")
    fi
    cat "$file"
}

# Arguments that let a Java tool (TopicCommand, ...) talk to the broker as the admin.
kafka_tool_client_args() {
    [[ "$KAFKA_SECURITY" == sasl ]] || return 0
    local file="$KAFKA_WORK_DIR/admin-client.properties"
    if [[ ! -s "$file" ]]; then
        (umask 077 && cat >"$file" <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$KAFKA_ADMIN_USER" password="$(kafka_admin_password)";
PROPS
        )
    fi
    echo "--command-config" "$file"
}

# true if process $1 exists and is not a zombie
kafka_alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)"
    [[ "$state" != "Z" ]]
}

# pid from the pid file if that process is alive, else nothing (exit 1)
kafka_running_pid() {
    local pid
    [[ -s "$KAFKA_PID_FILE" ]] || return 1
    pid="$(tr -dc '0-9' <"$KAFKA_PID_FILE")"
    [[ -n "$pid" ]] && kafka_alive "$pid" || return 1
    # guard against pid reuse: it must be a Kafka broker
    [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *" kafka.Kafka "* ]] || return 1
    echo "$pid"
}

# pids of live brokers started with this KAFKA_CONFIG (java ... kafka.Kafka $KAFKA_CONFIG),
# e.g. one a test restarted by hand without updating the pid file
kafka_pids_by_config() {
    local f pid cmd
    for f in /proc/[0-9]*/cmdline; do
        pid="${f#/proc/}"; pid="${pid%/cmdline}"
        cmd="$(tr '\0' ' ' <"$f" 2>/dev/null)" || continue
        [[ "$cmd" == *" kafka.Kafka $KAFKA_CONFIG"* ]] && kafka_alive "$pid" && echo "$pid"
    done
    return 0
}

kafka_port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

kafka_log() { echo "[kafka] $*" >&2; }
