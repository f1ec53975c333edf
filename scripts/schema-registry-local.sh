#!/usr/bin/env bash
# A real Schema Registry on loopback, as scripts/kafka-local.sh runs the broker: Apicurio
# Registry 2.4.2.Final, whose Confluent-compatible API (/apis/ccompat/v7) Confluent's clients
# and serializers speak, in memory, on a free port. There is no Docker here: it is assembled
# from Maven Central once (scripts/schema-registry/pom.xml, about a minute with an empty Maven
# cache) and the runner is cached for every later start.
#
#   scripts/schema-registry-local.sh up      build once, start, wait, print its environment
#   scripts/schema-registry-local.sh down    stop it by its pid
#   scripts/schema-registry-local.sh env     print the environment of the running registry
#   scripts/schema-registry-local.sh status  exit 0 when it runs
#   scripts/schema-registry-local.sh build   only assemble the runner (CI caches it)
#
# State in $SCHEMA_REGISTRY_LOCAL_DIR (default .schema-registry/ in the project, git-ignored):
# pid, log and registry.env (SCHEMA_REGISTRY_URL). The runner lives in $SCHEMA_REGISTRY_CACHE
# (default ~/.cache/streamforge/schema-registry-2.4.2), shared by every checkout.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${SCHEMA_REGISTRY_LOCAL_DIR:-$root/.schema-registry}
cache=${SCHEMA_REGISTRY_CACHE:-$HOME/.cache/streamforge/schema-registry-2.4.2}
pidfile=$dir/registry.pid
logfile=$dir/registry.log
envfile=$dir/registry.env
start_timeout=${SCHEMA_REGISTRY_START_TIMEOUT:-90}
runner=$cache/target/schema-registry-runner-2.4.2-runner.jar
# Maven's local repository, shared with the broker's jars and any other build
repo=${MAVEN_LOCAL_REPO:-$HOME/.m2/repository}

me=schema-registry-local
what='the registry'
# shellcheck source=lib/local-server.sh
source "$root/scripts/lib/local-server.sh"

# Maven Central's URL as Maven itself knows it (its super POM), never written into a file of ours
central_url() {
  local lib
  lib=$(dirname "$(readlink -f "$(command -v mvn)")")/../lib
  unzip -p "$lib"/maven-model-builder-*.jar org/apache/maven/model/pom-4.0.0.xml |
    tr -d '\n' | sed -E 's|.*<repository>[^<]*<id>central</id>.*<url>([^<]*)</url>.*</repository>.*|\1|' | sed -E 's|</url>.*||'
}

# Apicurio's poms name repositories besides Central (JitPack, Red Hat's): every one is
# mirrored to Central, where all that the build needs is
write_settings() {
  local url=$1
  cat > "$cache/settings.xml" <<XML
<settings>
  <mirrors>
    <mirror><id>central-for-all</id><mirrorOf>*</mirrorOf><url>$url</url></mirror>
  </mirrors>
</settings>
XML
}

# io.apicurio:apicurio-common-app-components-config-index-deployment:0.1.18.Final is not on
# Central; 0.1.10.Final's jar is one build step making the same recorder call as the 0.1.18
# runtime (compared with javap), so it is installed under 0.1.18.Final in the local repository
install_config_index_deployment() {
  local g=io.apicurio a=apicurio-common-app-components-config-index-deployment
  [ -f "$repo/io/apicurio/$a/0.1.18.Final/$a-0.1.18.Final.jar" ] && return
  mvn -B -q -s "$cache/settings.xml" -Dmaven.repo.local="$repo" dependency:get -Dartifact="$g:$a:0.1.10.Final" -Dtransitive=false >> "$cache/build.log" 2>&1
  # its pom: Quarkus wants a deployment module to depend on its runtime module
  cat > "$cache/config-index-deployment.pom" <<XML
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>$g</groupId>
  <artifactId>$a</artifactId>
  <version>0.1.18.Final</version>
  <dependencies>
    <dependency><groupId>$g</groupId><artifactId>apicurio-common-app-components-config-index</artifactId><version>0.1.18.Final</version></dependency>
    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-core-deployment</artifactId><version>2.16.4.Final</version></dependency>
    <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-arc-deployment</artifactId><version>2.16.4.Final</version></dependency>
  </dependencies>
</project>
XML
  mvn -B -q -s "$cache/settings.xml" -Dmaven.repo.local="$repo" install:install-file -Dfile="$repo/io/apicurio/$a/0.1.10.Final/$a-0.1.10.Final.jar" \
    -DpomFile="$cache/config-index-deployment.pom" >> "$cache/build.log" 2>&1
}

build() {
  if [ -f "$runner" ] && [ -f "$cache/.complete" ] && cmp -s "$root/scripts/schema-registry/pom.xml" "$cache/.complete"; then
    return
  fi
  need mvn "Maven assembles the registry from Maven Central"
  need java "the registry runs on Java 17"
  need unzip "Maven's super POM is read with it"
  say "assembling Apicurio Registry 2.4.2.Final from Maven Central into $cache (about a minute the first time)"
  rm -rf "$cache"
  mkdir -p "$cache"
  local url
  url=$(central_url)
  [ -n "$url" ] || die "could not read Maven Central's URL from Maven's super POM"
  write_settings "$url"
  cp "$root/scripts/schema-registry/pom.xml" "$cache/pom.xml"
  install_config_index_deployment || die "installing the config-index deployment step failed: see $cache/build.log"
  if ! (cd "$cache" && mvn -B -s settings.xml -Dmaven.repo.local="$repo" package -DskipTests >> build.log 2>&1); then
    tail -n 30 "$cache/build.log" >&2
    die "the registry build failed: see $cache/build.log"
  fi
  [ -f "$runner" ] || die "the build made no runner ($runner)"
  cp "$root/scripts/schema-registry/pom.xml" "$cache/.complete"
}

up() {
  if running; then
    say "already running (pid $(cat "$pidfile"))"
    print_env
    return
  fi
  build
  mkdir -p "$dir"
  local port
  port=$(free_port)
  say "starting the registry on 127.0.0.1:$port"
  # in-memory storage: a restart starts empty, as a test wants
  nohup java -Xmx512m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$port" -jar "$runner" > "$logfile" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  local url="http://127.0.0.1:$port/apis/ccompat/v7"
  local waited=0
  until curl -sf "$url/subjects" > /dev/null 2>&1; do
    running || { tail -n 20 "$logfile" >&2; die "the registry exited: see $logfile"; }
    [ "$waited" -ge $((start_timeout * 5)) ] && { tail -n 20 "$logfile" >&2; die "the registry did not answer within ${start_timeout}s"; }
    sleep 0.2
    waited=$((waited + 1))
  done
  # Confluent's registry checks BACKWARD compatibility by default; Apicurio's checks none
  curl -sf -X PUT -H 'content-type: application/vnd.schemaregistry.v1+json' -d '{"compatibility":"BACKWARD"}' "$url/config" > /dev/null
  printf 'export SCHEMA_REGISTRY_URL=%s\n' "$url" > "$envfile"
  say "ready (pid $(cat "$pidfile"))"
  print_env
}

dispatch "$@"
