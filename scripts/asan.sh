#!/usr/bin/env bash
# AddressSanitizer run: builds the addon with -fsanitize=address into
# build-asan/ (a copy of the package; build/ is left alone), preloads the
# ASan runtime into Node and runs the mocha suite there (or the test files
# given as arguments) plus the random-call fixture. Leak detection is off:
# V8 and Node keep memory for the life of the process by design.
#
#   npm run check:asan [-- test/tcp.test.ts ...]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=$root/build-asan
export npm_config_nodedir="${npm_config_nodedir:-$(dirname "$(dirname "$(command -v node)")")}"
gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
[ -f "$gyp" ] || gyp=$(command -v node-gyp)

mkdir -p "$dir"
# The package without its builds, compiled TypeScript included.
npm run --silent build:ts
tar -C "$root" --exclude=./build --exclude=./build-asan --exclude=./node_modules --exclude=./.git \
  --exclude=./bench/bin -cf - . | tar -C "$dir" -xf -
ln -sfn "$root/node_modules" "$dir/node_modules"
(
  cd "$dir"
  export CXXFLAGS="-fsanitize=address -fno-omit-frame-pointer -g -O1"
  export LDFLAGS="-fsanitize=address"
  node "$gyp" configure >/dev/null
  node "$gyp" build -j "${JOBS:-2}" >/dev/null
)

export LD_PRELOAD
LD_PRELOAD=$(${CXX:-g++} -print-file-name=libasan.so)
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$dir/asan:${ASAN_OPTIONS:-}"
rm -f "$dir"/asan.*
cd "$dir"
status=0
npx tsc -p test/tsconfig.json
if [ $# -gt 0 ]; then
  # Only the files given: .mocharc.json's spec would add every test file.
  npx mocha --no-config -r ts-node/register/transpile-only -r test/root-hooks.ts --extension ts \
    --timeout 20000 --node-option expose-gc "$@" || status=$?
else
  # Two tests measure what ASan changes: RSS (its quarantine holds freed
  # memory) and the time of an npm install (several times slower).
  npx mocha --grep 'bounded memory|packed prebuild' --invert || status=$?
fi
for seed in 1 2 3 4; do
  node test/fixtures/fuzz.js "$seed" 1500 >/dev/null || status=$?
done
reports=$(find "$dir" -maxdepth 1 -name 'asan.*' | wc -l)
echo "ASan: $reports error report(s)$( [ "$reports" -gt 0 ] && echo ": $dir/asan.*")"
[ "$reports" -eq 0 ] || status=1
exit $status
