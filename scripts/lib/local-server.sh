# What the scripts that run a local server share (schema-registry-local.sh, jaeger-local.sh):
# messages, the pid file, a free port, printing the environment file, stopping, and the
# up|down|env|status|build dispatch. Sourced after the script sets `me` (its name in messages),
# `what` (the server, in words), `pidfile` and `envfile`, and defines up and build.

say() { printf '%s: %s\n' "$me" "$*" >&2; }
die() { say "error: $*"; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"; }
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

print_env() {
  [ -f "$envfile" ] || die "no $what environment: run '$0 up'"
  cat "$envfile"
}

down() {
  if ! running; then
    say "not running"
    rm -f "$pidfile"
    return
  fi
  local pid
  pid=$(cat "$pidfile")
  say "stopping $what (pid $pid)"
  kill "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile" "$envfile"
}

dispatch() {
  case "${1:-}" in
    up) up ;;
    down) down ;;
    env) print_env ;;
    status) running ;;
    build) build ;;
    *) die "usage: $0 up|down|env|status|build" ;;
  esac
}
