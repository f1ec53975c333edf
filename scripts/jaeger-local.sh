#!/usr/bin/env bash
# A real OpenTelemetry collector on loopback, as scripts/kafka-local.sh runs the broker: Jaeger
# v2 (github.com/jaegertracing/jaeger/cmd/jaeger v1.75.0), built once from the Go module proxy
# in a module of its own (it adds 323 requirements to the go.mod it is fetched in: it must stay
# out of any other) and cached; started with scripts/jaeger/config.yaml (loopback only, traces
# in memory) on free ports. About 7 minutes of one core the first time, at low priority.
#
#   scripts/jaeger-local.sh up      build once, start, wait, print its environment
#   scripts/jaeger-local.sh down    stop it by its pid
#   scripts/jaeger-local.sh env     print the environment of the running collector
#   scripts/jaeger-local.sh status  exit 0 when it runs
#   scripts/jaeger-local.sh build   only build the binary (CI starts it early, in the background)
#
# State in $JAEGER_LOCAL_DIR (default .jaeger/ in the project, git-ignored): pid, log and
# jaeger.env (OTEL_EXPORTER_OTLP_ENDPOINT for the OTLP/HTTP receiver, JAEGER_QUERY_URL for the
# query API). The binary lives in $JAEGER_CACHE (default ~/.cache/streamforge/jaeger-1.75.0).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${JAEGER_LOCAL_DIR:-$root/.jaeger}
version=v1.75.0
cache=${JAEGER_CACHE:-$HOME/.cache/streamforge/jaeger-${version#v}}
binary=$cache/jaeger
pidfile=$dir/jaeger.pid
logfile=$dir/jaeger.log
envfile=$dir/jaeger.env
start_timeout=${JAEGER_START_TIMEOUT:-30}

me=jaeger-local
what='Jaeger'
# shellcheck source=lib/local-server.sh
source "$root/scripts/lib/local-server.sh"

build() {
  mkdir -p "$cache"
  # under a lock (CI starts a build early and the tests' set-up waits for it here), in a
  # subshell so that the collector started after it does not inherit and hold the lock
  (
    flock 9
    [ -x "$binary" ] && [ -f "$cache/.complete" ] && exit 0
    command -v go > /dev/null || die "go is not installed (Jaeger is built from the Go module proxy)"
    say "building Jaeger $version from the Go module proxy into $cache (about 7 minutes the first time)"
    rm -f "$binary" "$cache/.complete"
    (
      cd "$cache"
      [ -f go.mod ] || go mod init streamforge-jaeger > /dev/null 2>&1
      nice -n 19 go get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$version"
      nice -n 19 go build -o jaeger github.com/jaegertracing/jaeger/cmd/jaeger
    ) >> "$cache/build.log" 2>&1 || { tail -n 20 "$cache/build.log" >&2; die "the build failed: see $cache/build.log"; }
    touch "$cache/.complete"
  ) 9> "$cache/.lock"
}

up() {
  if running; then
    say "already running (pid $(cat "$pidfile"))"
    print_env
    return
  fi
  build
  mkdir -p "$dir"
  local health query grpc otlp_grpc otlp_http
  health=$(free_port) query=$(free_port) grpc=$(free_port) otlp_grpc=$(free_port) otlp_http=$(free_port)
  say "starting Jaeger (OTLP/HTTP 127.0.0.1:$otlp_http, query 127.0.0.1:$query)"
  JAEGER_HEALTH_PORT=$health JAEGER_QUERY_PORT=$query JAEGER_QUERY_GRPC_PORT=$grpc \
    JAEGER_OTLP_GRPC_PORT=$otlp_grpc JAEGER_OTLP_HTTP_PORT=$otlp_http \
    nohup "$binary" --config "$root/scripts/jaeger/config.yaml" > "$logfile" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  local waited=0
  until curl -sf "http://127.0.0.1:$health/status" > /dev/null 2>&1; do
    running || { tail -n 20 "$logfile" >&2; die "Jaeger exited: see $logfile"; }
    [ "$waited" -ge $((start_timeout * 10)) ] && { tail -n 20 "$logfile" >&2; die "Jaeger did not answer within ${start_timeout}s"; }
    sleep 0.1
    waited=$((waited + 1))
  done
  {
    printf 'export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:%s\n' "$otlp_http"
    printf 'export JAEGER_QUERY_URL=http://127.0.0.1:%s\n' "$query"
  } > "$envfile"
  say "ready (pid $(cat "$pidfile"))"
  print_env
}

dispatch "$@"
