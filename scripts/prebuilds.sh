#!/usr/bin/env bash
# Makes every prebuilt addon the package ships (`npm run prebuilds`):
#
#   prebuilds/linux-x64/node.napi.glibc.node
#   prebuilds/linux-arm64/node.napi.glibc.node
#
# One Node-API binary per platform serves every supported Node line. Each is
# built with the portable flags of binding.gyp (uvkit_portable=1: libstdc++
# linked in, glibc symbols pinned to 2.28) and then checked: right ELF
# machine, no GLIBC_ version above 2.28, no GLIBCXX_ version above 3.4.25.
# The `glibc` tag makes node-gyp-build skip the file on musl, which then
# compiles from source. arm64 is cross-compiled with Debian's
# g++-aarch64-linux-gnu against the same Node headers.
#
# Usage: scripts/prebuilds.sh [x64] [arm64]   (default: both)
# Node headers: $npm_config_nodedir (as node-gyp), else the running node's.
# Output: $PREBUILDS_DIR (default: prebuilds/ of the checkout).
# The sources are built in a temporary copy: build/ of the checkout (the
# development build that tests load first) is left alone.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
arches=("$@")
[ ${#arches[@]} -eq 0 ] && arches=(x64 arm64)

max_glibc=2.28
max_glibcxx=3.4.25
nodedir=${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}

# node-gyp: the one npm names (npm_config_node_gyp, set inside npm scripts),
# else one on PATH, else the one that ships with the npm on PATH.
if [ -n "${npm_config_node_gyp:-}" ] && [ -f "$npm_config_node_gyp" ]; then
  node_gyp=(node "$npm_config_node_gyp")
elif command -v node-gyp >/dev/null 2>&1; then
  node_gyp=(node-gyp)
else
  npm_cli=$(readlink -f "$(command -v npm)")
  node_gyp=(node "$(dirname "$npm_cli")/../node_modules/node-gyp/bin/node-gyp.js")
fi

# Is version $1 <= version $2 (dotted numbers)?
version_le() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -1)" = "$1" ]; }

work=$(mktemp -d "${TMPDIR:-/tmp}/uvkit-prebuilds.XXXXXX")
trap 'rm -rf "$work"' EXIT

for arch in "${arches[@]}"; do
  case "$arch" in
    x64) triple=x86_64-linux-gnu; machine='X86-64'
      cc=${CC_x64:-gcc}; cxx=${CXX_x64:-g++} ;;
    arm64) triple=aarch64-linux-gnu; machine='AArch64'
      cc=${CC_arm64:-aarch64-linux-gnu-gcc}; cxx=${CXX_arm64:-aarch64-linux-gnu-g++} ;;
    *) echo "prebuilds: unknown arch '$arch' (x64, arm64)" >&2; exit 2 ;;
  esac
  if ! command -v "$cxx" >/dev/null 2>&1; then
    echo "prebuilds: $cxx not found (Debian: apt-get install g++-${triple%%-*}-linux-gnu)" >&2
    exit 1
  fi
  # binutils for the target: the cross ones, or the host's for the host arch.
  objdump=$(command -v "$triple-objdump" || command -v objdump)
  strip=$(command -v "$triple-strip" || command -v strip)

  src="$work/$arch"
  mkdir -p "$src"
  cp -r "$root/binding.gyp" "$root/package.json" "$root/native" "$root/deps" "$src/"
  ln -s "$root/node_modules" "$src/node_modules"

  echo "== prebuild linux-$arch ($cxx, headers from $nodedir)"
  start=$SECONDS
  (cd "$src" && CC="$cc" CXX="$cxx" LINK="$cxx" npm_config_arch="$arch" \
    "${node_gyp[@]}" rebuild --release --arch="$arch" --nodedir="$nodedir" \
    --uvkit_portable=1 --jobs="${JOBS:-2}" --loglevel=warn)
  file="$src/build/Release/uvkit.node"
  "$strip" --strip-unneeded "$file"

  # The checks a user's machine would make, done here.
  elf_machine=$(readelf -h "$file" | sed -n 's/^ *Machine: *//p')
  if [[ "$elf_machine" != *"$machine" ]]; then
    echo "prebuilds: $file is '$elf_machine', not $machine" >&2; exit 1
  fi
  versions=$("$objdump" -T "$file" | grep -o 'GLIBC[XX]*_[0-9.]*' | sort -Vu)
  bad=0
  for v in $versions; do
    case "$v" in
      GLIBCXX_*) version_le "${v#GLIBCXX_}" "$max_glibcxx" || { echo "prebuilds: needs $v (max GLIBCXX_$max_glibcxx)" >&2; bad=1; } ;;
      GLIBC_*) version_le "${v#GLIBC_}" "$max_glibc" || { echo "prebuilds: needs $v (max GLIBC_$max_glibc)" >&2; bad=1; } ;;
    esac
  done
  if [ "$bad" -ne 0 ]; then
    "$objdump" -T "$file" | grep -E 'GLIBC' | grep -vE "GLIBC_(2\.[0-9]|2\.1[0-9]|2\.2[0-8])[^0-9.]" >&2 || true
    echo "prebuilds: add the symbols above to the --wrap list in binding.gyp and deps/portable/glibc_compat.c" >&2
    exit 1
  fi

  dest="${PREBUILDS_DIR:-$root/prebuilds}/linux-$arch"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$file" "$dest/node.napi.glibc.node"
  echo "   $dest/node.napi.glibc.node: $(stat -c %s "$file") bytes, $((SECONDS - start)) s;" \
    "max $(grep GLIBC_ <<<"$versions" | tail -1), $(grep -c GLIBCXX_ <<<"$versions" || true) GLIBCXX versions"
done
