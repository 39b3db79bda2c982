#!/bin/bash
# User-space instructions per round trip of one echo server's main thread,
# counted by callgrind (deterministic, unlike the rates of a shared machine;
# kernel work is not counted, and a `rep movsb` copy counts one instruction
# per byte). Other threads are left out: under valgrind V8's compiler
# threads were still recompiling in the measured window in some runs (up to
# a fifth of all instructions), which made whole-process counts of the same
# build differ by 30%. Node runs with --no-concurrent-recompilation and
# the load warms up three times: under valgrind a concurrent compile could
# leave a hot function unoptimized into the measured window (it showed as
# Builtins_LoadIC, ~10% of the count), and the first warm-up's connections
# closing deoptimizes the read path once (a map change), which the next
# warm-up re-optimizes.
#   bench/callgrind.sh <impl> <kind> <size> <conns> [ms]
#   impl: uvkit | uvkit-attached | node | c | uvloop;  kind: echo | udp
# e.g. bench/callgrind.sh uvkit echo 1024 10   (run `npm run bench` once first:
# it builds bench/bin/loadclient and the C baseline)
set -e
IMPL=$1 KIND=$2 SIZE=$3 CONNS=$4 MS=${5:-4000}
cd "$(dirname "$0")/.."
OUT=$(mktemp -d)
if [ "$IMPL" = uvloop ]; then
  PY=$(python3 -c 'import sys; print(sys.executable)')  # not a pyenv shim
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$OUT/cg.%p" "$PY" bench/uvloop_server.py "$KIND" > "$OUT/port" 2> "$OUT/err" &
else
  valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$OUT/cg.%p" node --no-concurrent-recompilation bench/server.js "$IMPL" "$KIND" > "$OUT/port" 2> "$OUT/err" &
fi
SERVER=$!
for _ in $(seq 60); do grep -q port "$OUT/port" && break; sleep 1; done
PORT=$(grep -o 'port[^0-9]*[0-9]*' "$OUT/port" | grep -o '[0-9]*$' | head -1)
MODE=echo; [ "$KIND" = udp ] && MODE=udp
for _ in 1 2 3; do bench/bin/loadclient $MODE "$PORT" "$CONNS" "$SIZE" 200 2000 > /dev/null; done   # warm up (the JIT)
callgrind_control -z $SERVER > /dev/null 2>&1
N=$(bench/bin/loadclient $MODE "$PORT" "$CONNS" "$SIZE" 0 "$MS" | grep -o '"count":[0-9]*' | grep -o '[0-9]*$')
callgrind_control -d $SERVER > /dev/null 2>&1
sleep 1; kill $SERVER; wait $SERVER 2> /dev/null || true
TOTAL=$(callgrind_annotate "$(ls "$OUT"/cg.*.1-01)" 2> /dev/null | grep 'PROGRAM TOTALS' | grep -o '^[0-9,]*' | tr -d ,)
echo "$IMPL $KIND $SIZE B x$CONNS: $N round trips, $((TOTAL / N)) instructions per round trip ($OUT)"
