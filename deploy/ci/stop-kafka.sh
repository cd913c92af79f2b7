#!/usr/bin/env bash
# Stop the broker started by deploy/ci/start-kafka.sh: the pid in $KAFKA_PID_FILE
# and any other live `kafka.Kafka $KAFKA_CONFIG` process (e.g. one a test restarted).
# SIGTERM, then SIGKILL after KAFKA_STOP_TIMEOUT seconds (default 30).
set -euo pipefail

# shellcheck source=deploy/ci/kafka-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/kafka-env.sh"

pids=()
if pid="$(kafka_running_pid)"; then pids+=("$pid"); fi
while read -r pid; do
    [[ -n "$pid" && " ${pids[*]} " != *" $pid "* ]] && pids+=("$pid")
done < <(kafka_pids_by_config)

if ((${#pids[@]} == 0)); then
    kafka_log "not running"
    rm -f "$KAFKA_PID_FILE"
    exit 0
fi

kafka_log "stopping broker (pid ${pids[*]})"
kill -TERM "${pids[@]}" 2>/dev/null || true
deadline=$((SECONDS + ${KAFKA_STOP_TIMEOUT:-30}))
for pid in "${pids[@]}"; do
    while kafka_alive "$pid" && ((SECONDS < deadline)); do
        sleep 0.5
    done
    if kafka_alive "$pid"; then
        kafka_log "pid $pid still alive after ${KAFKA_STOP_TIMEOUT:-30}s, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
done
rm -f "$KAFKA_PID_FILE"
kafka_log "stopped"
