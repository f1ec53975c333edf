#!/usr/bin/env bash
# Everything a fresh machine needs, and nothing twice. `setup.sh` alone: what building and the
# demo need (the Debian packages node-rdkafka compiles against, for SSL, SASL/SCRAM and every
# compression codec; openssl for the local broker's CA; curl for the README's quickstart) and the npm dependencies when
# package-lock.json changed since the last install. `setup.sh --test` adds what only the test
# suite uses: kcat, buildah and debootstrap (the image), stress-ng, prometheus (the alert
# rules), python3-venv (schemathesis), groff (the man page), chromium (/docs in a browser),
# protobuf-compiler (protoc: the Protobuf decoder the schema tests read records back with).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

packages=(libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev openssl curl)
if [ "${1:-}" = "--test" ]; then
  packages+=(kcat tmux buildah debootstrap python3-venv stress-ng prometheus groff-base man-db chromium protobuf-compiler)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # sudo resets the environment, so the frontend goes through env; apt's and debconf's chatter
  # is kept in a log and shown only when the install fails.
  log=$(mktemp)
  if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "setup: apt-get could not install ${missing[*]}" >&2
    exit 1
  fi
  rm -f "$log"
fi
for tool in java mvn node npm; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required (Java 17, Maven, Node 20)" >&2; exit 1; }
done

stamp=node_modules/.streamforge-lock-sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: npm ci (node-rdkafka compiles librdkafka: 2 to 3 minutes)" >&2
  # node-gyp uses the installed Node headers instead of downloading them.
  export npm_config_nodedir=/usr
  if ! npm ci --no-fund --no-audit 2> .npm-ci.log; then
    # npm 11.19 leaves other platforms' optional packages out of the lockfile it writes, then
    # refuses that lockfile in `npm ci` (npm/cli#4828). `install --no-save` keeps the locked
    # versions and does not rewrite the lockfile.
    grep -q 'Missing: .* from lock file' .npm-ci.log || { cat .npm-ci.log >&2; exit 1; }
    echo "setup: npm ci refused the lockfile (npm/cli#4828); installing the locked versions with npm install --no-save" >&2
    npm install --no-save --no-fund --no-audit
  fi
  rm -f .npm-ci.log
  echo "$want" > "$stamp"
fi
