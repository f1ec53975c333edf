#!/usr/bin/env bash
# schemathesis (from PyPI, in a venv this script makes and caches) against a running
# serve-producer's own /openapi.json: every operation, every check, a fixed seed, bounded.
#
#   scripts/schemathesis.sh http://127.0.0.1:8080 [more schemathesis run options]
#
# SCHEMATHESIS_SPEC=file runs another document against the server (the gateways' own, in
# test/fixtures/gateways/), with SCHEMATHESIS_CONFIG=name its config in test/schemathesis/
# (name.toml) and the base URL as given (e.g. http://127.0.0.1:8080/v3 for the REST Proxy v3).
# Exit 0 when every check held. The venv lives in ~/.cache/streamforge (or $XDG_CACHE_HOME),
# outside the clone, so a second run starts at once. test/schemathesis/ holds the config
# (statuses the OpenAPI cannot state) and the hooks (the schemas' custom string formats).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
url=${1:?usage: $0 BASE_URL [schemathesis run options]}
shift
version=4.32.5
cache=${XDG_CACHE_HOME:-$HOME/.cache}/streamforge
venv=$cache/schemathesis-$version

# the marker is written last, so an interrupted install is redone, not used
if [ ! -f "$venv/.installed" ]; then
  python3 -c 'import venv, ensurepip' 2>/dev/null || {
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null
  }
  echo "schemathesis: installing $version into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$version"
  touch "$venv/.installed"
fi

config=$root/test/schemathesis
export PYTHONPATH=$config SCHEMATHESIS_HOOKS=streamforge_hooks
spec=${SCHEMATHESIS_SPEC:-$url/openapi.json}
settings=$config/${SCHEMATHESIS_CONFIG:-schemathesis}.toml
# a file is read from the clone; the server is then named by --url
[ -f "$spec" ] && { spec=$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec"); set -- --url "$url" "$@"; }
# schemathesis and hypothesis keep their caches (.schemathesis, .hypothesis) in the working
# directory: a scratch one, so a run leaves nothing in the clone and replays no earlier run
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
# One worker: with two threads, CPython before 3.11.8 / 3.12.2 (pyenv's 3.11.7 here) shares the
# AST builder's recursion counter between them, and hypothesis parsing lambda sources for a repr
# failed a CI run with "SystemError: AST constructor recursion depth mismatch" (gh-106905).
# Generation is Python under one GIL anyway: one worker took the same ~50 s.
"$venv/bin/schemathesis" --config-file "$settings" run "$spec" \
  --checks all --seed 20261125 --generation-database none --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-60}" \
  --suppress-health-check all --workers 1 --request-timeout 20 --no-color "$@"
