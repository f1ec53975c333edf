#!/usr/bin/env bash
# The main job end to end on a local broker, over SASL_SSL + SCRAM-SHA-512 as in production:
# Kafka up, a dummy service started, pings answered, a summary printed, everything stopped.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
sf() { node bin/streamforge "$@"; }

started_kafka=0
dummy_pid=""
# `if`, not `a && b`: the trap's last status becomes the script's, and a false test there made
# a successful demo exit 1 whenever a broker was already running.
cleanup() {
  if [ -n "$dummy_pid" ]; then kill "$dummy_pid" 2>/dev/null || true; fi
  if [ "$started_kafka" = 1 ]; then scripts/kafka-local.sh down; fi
}
trap cleanup EXIT

if ! scripts/kafka-local.sh status 2>/dev/null; then
  echo "== starting a local Kafka broker (first run resolves its jars from Maven Central)"
  scripts/kafka-local.sh up >/dev/null
  started_kafka=1
fi
set -a
# shellcheck disable=SC1091
. .kafka/sasl.env
set +a
export QUEUE_CONTROL_TOPIC=demo-queue-control QUEUE_EVENTS_TOPIC=demo-queue-events

queue=loader-btcusdt-dummy-demo
echo "== streamforge dummy --queue-id $queue --simulate-loading   (SASL_SSL, user $KAFKA_USER, CA $KAFKA_CA_PATH)"
sf dummy --queue-id "$queue" --symbol BTCUSDT --simulate-loading --loading-interval 1 --metrics-port 0 --log-format text > .kafka/demo-dummy.log 2>&1 &
dummy_pid=$!
for _ in $(seq 1 60); do
  grep -q 'event=started' .kafka/demo-dummy.log 2>/dev/null && break
  kill -0 "$dummy_pid" 2>/dev/null || { cat .kafka/demo-dummy.log; exit 1; }
  sleep 0.5
done
grep -m1 'event=started' .kafka/demo-dummy.log

echo
echo "== streamforge ping --queue-id $queue --expect-pong --repeat 5 --interval 0.5"
sf ping --queue-id "$queue" --expect-pong --repeat 5 --interval 0.5

echo
echo "== streamforge stop --queue-id $queue --wait"
sf stop --queue-id "$queue" --wait --timeout 15
wait "$dummy_pid" && echo "dummy exited with 0"
dummy_pid=""
echo
echo "== what the dummy logged"
cat .kafka/demo-dummy.log
