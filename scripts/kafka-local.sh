#!/usr/bin/env bash
# A real Apache Kafka broker (KRaft, one combined node) on loopback, with two client listeners:
#   PLAINTEXT                       for quick local work
#   SASL_SSL + SCRAM-SHA-512 + CA   what production (Strimzi) uses
# There is no Docker here: the broker's jars come from Maven Central through Maven.
#
#   scripts/kafka-local.sh up      resolve jars, make certs, format, start, wait, print env
#   scripts/kafka-local.sh down    stop the broker by its pid
#   scripts/kafka-local.sh env     print the environment of the running broker
#   scripts/kafka-local.sh status  exit 0 when the broker runs
#   scripts/kafka-local.sh topic NAME [PARTITIONS]   create a topic (3 partitions); `up` creates
#                                  queue-control, queue-events, events, test-topic and orders
#
# With KAFKA_LOCAL_BROKERS=3: three combined broker/controller nodes (PLAINTEXT only),
# replication factor 3, min.insync.replicas=2, for failover tests; in .kafka/cluster by default.
#   KAFKA_LOCAL_BROKERS=3 scripts/kafka-local.sh kill-node N     SIGKILL node N (1-3)
#   KAFKA_LOCAL_BROKERS=3 scripts/kafka-local.sh start-node N    start it again, same ports
#   KAFKA_LOCAL_BROKERS=3 scripts/kafka-local.sh freeze-node N   SIGSTOP node N: it holds its
#                                  connections and answers nothing (a stalled VM, a long GC)
#   KAFKA_LOCAL_BROKERS=3 scripts/kafka-local.sh thaw-node N     SIGCONT it
#
# Everything lives in $KAFKA_LOCAL_DIR (default .kafka/ in the project, git-ignored) and is
# reused by the next start: jars, certificates, the SCRAM password and the data.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
brokers=${KAFKA_LOCAL_BROKERS:-1}
if [ "$brokers" -gt 1 ]; then default_dir=$root/.kafka/cluster; else default_dir=$root/.kafka; fi
dir=${KAFKA_LOCAL_DIR:-$default_dir}
# the jars are shared by the single broker and the cluster
libs=${KAFKA_LOCAL_LIBS:-$root/.kafka/libs}
certs=$dir/certs
data=$dir/data
conf=$dir/server.properties
pidfile=$dir/broker.pid
logfile=$dir/broker.log
user=${KAFKA_LOCAL_USER:-streamforge}
start_timeout=${KAFKA_LOCAL_START_TIMEOUT:-120}

say() { printf 'kafka-local: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed ($2)"
}

running() {
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

resolve_jars() {
  if [ -f "$libs/.complete" ] && cmp -s "$root/scripts/kafka/pom.xml" "$libs/.complete"; then
    return
  fi
  need mvn "Maven resolves the Kafka jars from Maven Central"
  need java "the broker runs on Java 17"
  say "resolving Apache Kafka jars from Maven Central into $libs"
  rm -rf "$libs"
  # Debian's Maven 3.8 writes colour resets even with -B -q: its output is kept in a log and
  # shown, without escapes, only when it fails.
  local log
  log=$(mktemp)
  if ! mvn -B -q -f "$root/scripts/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$libs" >"$log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$log" >&2
    rm -f "$log"
    die "Maven could not resolve the Kafka jars (is Maven Central reachable?)"
  fi
  rm -f "$log"
  cp "$root/scripts/kafka/pom.xml" "$libs/.complete"
}

make_certs() {
  [ -f "$certs/broker.p12" ] && return
  need openssl "it generates the CA and the broker certificate"
  say "generating a CA and a broker certificate in $certs"
  mkdir -p "$certs"
  local keypass
  keypass=$(openssl rand -hex 16)
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=streamforge-local-ca" \
    -keyout "$certs/ca.key" -out "$certs/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$certs/broker.key" -out "$certs/broker.csr" 2>/dev/null
  # librdkafka verifies the host name, so the certificate must name what clients dial.
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$certs/san.ext"
  openssl x509 -req -in "$certs/broker.csr" -CA "$certs/ca.pem" -CAkey "$certs/ca.key" \
    -CAcreateserial -days 3650 -extfile "$certs/san.ext" -out "$certs/broker.pem" 2>/dev/null
  openssl pkcs12 -export -in "$certs/broker.pem" -inkey "$certs/broker.key" -certfile "$certs/ca.pem" \
    -name broker -passout "pass:$keypass" -out "$certs/broker.p12"
  printf '%s' "$keypass" > "$certs/keystore.pass"
  chmod 600 "$certs"/*.key "$certs/keystore.pass"
}

write_config() {
  local plain=$1 sasl=$2 ctrl=$3 password=$4 keypass
  keypass=$(cat "$certs/keystore.pass")
  cat > "$conf" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$ctrl
listeners=PLAINTEXT://127.0.0.1:$plain,SASL_SSL://127.0.0.1:$sasl,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:$plain,SASL_SSL://localhost:$sasl
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$user" password="$password";
ssl.keystore.type=PKCS12
ssl.keystore.location=$certs/broker.p12
ssl.keystore.password=$keypass
ssl.key.password=$keypass
log.dirs=$data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.cleaner.dedupe.buffer.size=2097152
EOF
  write_log_config
}

write_log_config() {
  cat > "$dir/log4j2.properties" <<EOF
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
EOF
}

java_cmd() {
  java -Xms256m -Xmx512m -XX:+UseSerialGC -Dlog4j2.configurationFile="$dir/log4j2.properties" \
    -cp "$libs/*" "$@"
}

format_storage() {
  local password=$1
  [ -f "$data/meta.properties" ] && return
  say "formatting KRaft storage in $data (SCRAM user $user)"
  local id
  id=$(java_cmd kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
  java_cmd kafka.tools.StorageTool format -t "$id" -c "$conf" --ignore-formatted \
    --add-scram "SCRAM-SHA-512=[name=$user,password=$password]" > "$dir/format.log" 2>&1 \
    || { tail -n 20 "$dir/format.log" >&2; die "formatting failed (log: $dir/format.log)"; }
}

write_env() {
  local plain=$1 sasl=$2 password=$3
  # `export KEY=value` lines: a shell that sources the file passes them to the commands it
  # starts, and dotenv readers (streamforge's .env, the tests) take the prefix as well
  cat > "$dir/plaintext.env" <<EOF
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$plain
export KAFKA_SECURITY_PROTOCOL=PLAINTEXT
EOF
  cat > "$dir/sasl.env" <<EOF
export KAFKA_BOOTSTRAP_SERVERS=localhost:$sasl
export KAFKA_SECURITY_PROTOCOL=SASL_SSL
export KAFKA_SASL_MECHANISM=SCRAM-SHA-512
export KAFKA_USER=$user
export KAFKA_PASSWORD=$password
export KAFKA_CA_PATH=$certs/ca.pem
EOF
  chmod 600 "$dir/sasl.env"
}

print_env() {
  [ -f "$dir/plaintext.env" ] || die "no broker environment yet: run '$0 up'"
  printf '# PLAINTEXT listener (%s/plaintext.env)\n' "$dir"
  cat "$dir/plaintext.env"
  printf '\n# SASL_SSL + SCRAM-SHA-512 listener (%s/sasl.env)\n' "$dir"
  cat "$dir/sasl.env"
}

wait_ready() {
  local plain=$1 sasl=$2 pid=$3 waited=0
  # "Kafka Server started" is logged once every listener is bound and metadata is loaded.
  until grep -q 'Kafka Server started' "$logfile" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$logfile" >&2 || true
      rm -f "$pidfile"
      die "the broker exited during start-up (log: $logfile)"
    fi
    [ "$waited" -ge "$start_timeout" ] && die "the broker did not start within ${start_timeout}s (log: $logfile)"
    sleep 1
    waited=$((waited + 1))
  done
  for port in "$plain" "$sasl"; do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "listener 127.0.0.1:$port does not answer"
  done
}

up() {
  mkdir -p "$dir"
  if running; then
    say "the broker already runs (pid $(cat "$pidfile"))"
    print_env
    return
  fi
  resolve_jars
  make_certs
  [ -f "$dir/sasl.password" ] || { openssl rand -hex 12 > "$dir/sasl.password"; chmod 600 "$dir/sasl.password"; }
  local password plain sasl ctrl
  password=$(cat "$dir/sasl.password")
  plain=${KAFKA_LOCAL_PLAINTEXT_PORT:-$(free_port)}
  sasl=${KAFKA_LOCAL_SASL_PORT:-$(free_port)}
  ctrl=${KAFKA_LOCAL_CONTROLLER_PORT:-$(free_port)}
  write_config "$plain" "$sasl" "$ctrl" "$password"
  format_storage "$password"
  say "starting the broker (PLAINTEXT 127.0.0.1:$plain, SASL_SSL localhost:$sasl)"
  : > "$logfile"
  # setsid: the broker must outlive the shell (and the test run) that started it.
  setsid bash -c "exec java -Xms256m -Xmx512m -XX:+UseSerialGC \
    -Dlog4j2.configurationFile='$dir/log4j2.properties' -cp '$libs/*' kafka.Kafka '$conf'" \
    >>"$logfile" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$pidfile"
  wait_ready "$plain" "$sasl" "$pid"
  write_env "$plain" "$sasl" "$password"
  say "ready (pid $pid)"
  default_topics "$plain"
  print_env
}

# The topics the defaults and the README's examples name: auto-creation is off here, as on a
# Strimzi cluster, so a first `streamforge serve-producer` example would otherwise answer 404.
DEFAULT_TOPICS=(queue-control queue-events events test-topic orders)
topics() {
  local plain=$1
  shift
  [ -d "$root/node_modules/node-rdkafka" ] || { say "topics not created: run 'make setup' first (npm dependencies)"; return 0; }
  node "$root/scripts/kafka-topics.mjs" "127.0.0.1:$plain" "$@"
}
default_topics() { topics "$1" "${DEFAULT_TOPICS[@]}"; }

down() {
  if ! running; then
    say "no broker runs"
    rm -f "$pidfile"
    return
  fi
  local pid waited=0
  pid=$(cat "$pidfile")
  say "stopping the broker (pid $pid)"
  kill "$pid"
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$waited" -ge 30 ]; then
      say "the broker ignored SIGTERM for 30s; killing it"
      kill -9 "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
    waited=$((waited + 1))
  done
  rm -f "$pidfile"
}

# ---- three nodes -------------------------------------------------------------------------

node_dir() { printf '%s/node-%s' "$dir" "$1"; }
node_running() { [ -f "$(node_dir "$1")/broker.pid" ] && kill -0 "$(cat "$(node_dir "$1")/broker.pid")" 2>/dev/null; }

cluster_ports() {
  # Chosen once and kept: a node restarted after a kill must come back on its own ports.
  if [ ! -f "$dir/ports" ]; then
    for i in $(seq 1 "$brokers"); do printf '%s %s %s\n' "$i" "$(free_port)" "$(free_port)"; done > "$dir/ports"
  fi
}

cluster_config() {
  local voters="" bootstrap=""
  while read -r i client ctrl; do
    voters="$voters${voters:+,}$i@127.0.0.1:$ctrl"
    bootstrap="$bootstrap${bootstrap:+,}127.0.0.1:$client"
  done < "$dir/ports"
  while read -r i client ctrl; do
    mkdir -p "$(node_dir "$i")"
    cat > "$(node_dir "$i")/server.properties" <<EOF
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$client,CONTROLLER://127.0.0.1:$ctrl
advertised.listeners=PLAINTEXT://127.0.0.1:$client
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$(node_dir "$i")/data
num.partitions=3
auto.create.topics.enable=false
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
transaction.state.log.num.partitions=3
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
unclean.leader.election.enable=false
broker.session.timeout.ms=4000
broker.heartbeat.interval.ms=500
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
log.cleaner.dedupe.buffer.size=2097152
EOF
  done < "$dir/ports"
  printf 'export KAFKA_BOOTSTRAP_SERVERS=%s\nexport KAFKA_SECURITY_PROTOCOL=PLAINTEXT\n' "$bootstrap" > "$dir/plaintext.env"
  write_log_config
}

start_node() {
  local i=$1 nd
  nd=$(node_dir "$i")
  node_running "$i" && return
  : > "$nd/broker.log"
  setsid bash -c "exec java -Xms128m -Xmx384m -XX:+UseSerialGC \
    -Dlog4j2.configurationFile='$dir/log4j2.properties' -cp '$libs/*' kafka.Kafka '$nd/server.properties'" \
    >>"$nd/broker.log" 2>&1 < /dev/null &
  echo $! > "$nd/broker.pid"
}

wait_node() {
  local i=$1 waited=0 nd
  nd=$(node_dir "$i")
  until grep -q 'Kafka Server started' "$nd/broker.log" 2>/dev/null; do
    node_running "$i" || { tail -n 30 "$nd/broker.log" >&2; die "node $i exited during start-up"; }
    [ "$waited" -ge "$start_timeout" ] && die "node $i did not start within ${start_timeout}s"
    sleep 1
    waited=$((waited + 1))
  done
}

cluster_up() {
  mkdir -p "$dir"
  resolve_jars
  cluster_ports
  cluster_config
  [ -f "$dir/cluster.id" ] || java_cmd kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1 > "$dir/cluster.id"
  for i in $(seq 1 "$brokers"); do
    [ -f "$(node_dir "$i")/data/meta.properties" ] && continue
    java_cmd kafka.tools.StorageTool format -t "$(cat "$dir/cluster.id")" -c "$(node_dir "$i")/server.properties" --ignore-formatted \
      > "$(node_dir "$i")/format.log" 2>&1 || die "formatting node $i failed (log: $(node_dir "$i")/format.log)"
  done
  say "starting $brokers nodes"
  for i in $(seq 1 "$brokers"); do start_node "$i"; done
  for i in $(seq 1 "$brokers"); do wait_node "$i"; done
  say "ready"
  cat "$dir/plaintext.env"
}

cluster_down() {
  local i waited
  for i in $(seq 1 "$brokers"); do
    if node_running "$i"; then kill "$(cat "$(node_dir "$i")/broker.pid")"; fi
  done
  for i in $(seq 1 "$brokers"); do
    waited=0
    while node_running "$i"; do
      if [ "$waited" -ge 30 ]; then kill -9 "$(cat "$(node_dir "$i")/broker.pid")" 2>/dev/null || true; break; fi
      sleep 1
      waited=$((waited + 1))
    done
    rm -f "$(node_dir "$i")/broker.pid"
  done
}

if [ "$brokers" -gt 1 ]; then
  case "${1:-}" in
    up) cluster_up ;;
    down) cluster_down ;;
    env) cat "$dir/plaintext.env" ;;
    status) node_running 1 || { say "not running"; exit 1; } ;;
    kill-node) if node_running "${2:?node}"; then kill -9 "$(cat "$(node_dir "$2")/broker.pid")"; fi; say "killed node $2" ;;
    start-node) start_node "${2:?node}"; wait_node "$2"; say "node $2 is back" ;;
    freeze-node) if node_running "${2:?node}"; then kill -STOP "$(cat "$(node_dir "$2")/broker.pid")"; fi; say "froze node $2" ;;
    thaw-node) if node_running "${2:?node}"; then kill -CONT "$(cat "$(node_dir "$2")/broker.pid")"; fi; say "thawed node $2" ;;
    *) printf 'usage: KAFKA_LOCAL_BROKERS=%s %s up|down|env|status|kill-node N|start-node N|freeze-node N|thaw-node N\n' "$brokers" "$0" >&2; exit 2 ;;
  esac
  exit
fi

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) print_env ;;
  topic)
    running || die "the broker is not running: run '$0 up' first"
    topics "$(sed -n 's/^export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1://p' "$dir/plaintext.env")" "${2:?usage: $0 topic NAME [PARTITIONS]}:${3:-3}"
    ;;
  status) running && say "running (pid $(cat "$pidfile"))" || { say "not running"; exit 1; } ;;
  *) printf 'usage: %s up|down|env|status|topic NAME [PARTITIONS]\n' "$0" >&2; exit 2 ;;
esac
