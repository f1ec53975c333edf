#!/usr/bin/env bash
# Builds the streamforge image for real without a Docker engine or a registry:
#   1. a base image from Debian packages (debootstrap bookworm, minbase): no Node, the image
#      runs the single executable;
#   2. the executable (make dist: node scripts/build-binary.mjs), unless dist/ has one newer
#      than every source file;
#   3. the project's Dockerfile on that base, with buildah (--isolation chroot; overlay storage where the kernel allows it, else vfs).
#
#   scripts/container-image.sh build     both steps (the base is reused once made)
#   scripts/container-image.sh run ARGS  run the image on the host network, e.g. `run dummy --noop`
#   scripts/container-image.sh inspect   the image's configuration (JSON), from the store it was built in
#   scripts/container-image.sh run-shell COMMAND   a shell command inside the image
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# outside the clone, so that a fresh clone (CI) reuses the debootstrap base and the layers
cache=${CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/streamforge/container}
rootfs=$cache/rootfs-minbase
base=localhost/streamforge-base:bookworm
version=$(node -p "require('$root/package.json').version")
image=localhost/streamforge:$version
# overlay where the kernel allows it (a step's layer is its diff), else vfs (every step copies
# the whole tree). Each driver gets its own store under the cache: containers/storage refuses a
# store made by another driver. CONTAINER_STORAGE_DRIVER forces one.
overlay_works() {
  local probe ok=1
  mkdir -p "$cache" && probe=$(mktemp -d -p "$cache") || return 1
  mkdir -p "$probe/lower" "$probe/upper" "$probe/work" "$probe/merged" && echo x >"$probe/lower/f"
  if mount -t overlay overlay -o "lowerdir=$probe/lower,upperdir=$probe/upper,workdir=$probe/work" "$probe/merged" 2>/dev/null; then
    [ "$(cat "$probe/merged/f" 2>/dev/null)" = x ] && ok=0
    umount "$probe/merged"
  fi
  rm -rf "$probe"
  return $ok
}
driver=${CONTAINER_STORAGE_DRIVER:-}
[ -n "$driver" ] || { if overlay_works; then driver=overlay; else driver=vfs; fi; }
store=$cache/storage-$driver
bah() { buildah --root "$store/root" --runroot "$store/run" --storage-driver "$driver" "$@"; }
say() { printf 'container-image: %s\n' "$*" >&2; }

need() { command -v "$1" >/dev/null || { say "$1 is missing (apt-get install $2)"; exit 1; }; }

make_base() {
  if bah inspect --type image "$base" >/dev/null 2>&1; then return; fi
  need debootstrap debootstrap
  if [ ! -f "$rootfs/etc/debian_version" ]; then
    say "debootstrap bookworm (minbase) into $rootfs"
    mkdir -p "$cache"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
  fi
  rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
  local ctr
  ctr=$(bah from scratch)
  bah copy "$ctr" "$rootfs" / >/dev/null
  bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash "$ctr"
  bah commit --rm "$ctr" "$base" >/dev/null
  say "base image $base"
}

build() {
  need buildah buildah
  make_base
  local binary=$root/dist/streamforge-linux-x64
  if [ ! -f "$binary" ] || [ -n "$(find "$root/src" "$root/schemas" "$root/package.json" -newer "$binary" -print -quit)" ]; then
    say "making the executable (make dist)"
    (cd "$root" && npm run --silent build && node scripts/build-binary.mjs)
  fi
  say "building $image from the Dockerfile and $(basename "$binary")"
  local t0=$SECONDS
  # --layers: the packages' layer is reused while the Dockerfile keeps it; the layers live in
  # buildah's storage, outside the clone
  bah bud --isolation chroot --network host --layers --build-arg "BASE_IMAGE=$base" -t "$image" -f "$root/Dockerfile" "$root"
  say "built $image in $((SECONDS - t0)) s, $(bah images --format '{{.Size}}' "$image" | head -1)"
}

# a shell command inside the image, as its user (the tests look for what is not in it)
shell() {
  local ctr
  ctr=$(bah from "$image")
  trap "bah rm '$ctr' >/dev/null 2>&1 || true" EXIT
  bah run --isolation chroot --network host --user streamforge "$ctr" -- sh -c "$1"
}

run() {
  local ctr envs=() v
  ctr=$(bah from "$image")
  # expanded now: the trap runs after this function's locals are gone
  trap "bah rm '$ctr' >/dev/null 2>&1 || true" EXIT
  # configuration comes in as a pod's envFrom would bring it
  for v in $(compgen -e | grep -E '^(KAFKA_|QUEUE_|QUEUE_ID$|SYMBOL$|TYPE$|TIME_RANGE$|TELEMETRY_PRODUCER_ID$|LOG_|METRICS_|DUMMY_|PRODUCER_|SERVER_)'); do
    envs+=(--env "$v=${!v}")
  done
  # The image's own entrypoint and user, on the host network.
  bah run --isolation chroot --network host --user streamforge "${envs[@]}" "$ctr" -- streamforge "$@"
}

case "${1:-}" in
  build) build ;;
  exists) bah inspect --type image "$image" >/dev/null 2>&1 ;;
  inspect) bah inspect --type image "$image" ;;
  run) shift; run "$@" ;;
  run-shell) shell "$2" ;;
  base) make_base ;;
  *) printf 'usage: %s build | exists | inspect | run ARGS... | run-shell COMMAND\n' "$0" >&2; exit 2 ;;
esac
