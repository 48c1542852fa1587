#!/usr/bin/env bash
# The loopback harness, twice: pinned (the whole JVM on CPU 1: client, server and, for scale/stream, the
# server's child JVM, which inherits the affinity) and unpinned (both vCPUs). Then sockperf's TCP ping-pong
# (C, epoll) as the machine's physical limit for a loopback round trip, if sockperf is installed
# (apt-get install sockperf).
# Usage: benchmarks/scripts/e2e.sh [tests] [options]   e.g.  benchmarks/scripts/e2e.sh roundtrip --rounds 3
#   tests: roundtrip pipeline scale stream serial (default all); options: see dev.labwire.bench.e2e.Loopback
# Writes benchmarks/target/e2e/{pinned,unpinned}.md (tables) and .log (per-round lines). About 12 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=benchmarks/target/benchmarks.jar
OUT=benchmarks/target/e2e
if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip=true
fi
mkdir -p "$OUT"
# one heap size and one collector for both runs (a JVM pinned to one CPU would pick Serial GC by itself);
# the heap's pages touched at start: otherwise the kernel zeroes fresh pages during the first rounds (clear_page was
# 10 % of a queryAll run's CPU 6-12 s in, docs/BENCHMARKS.md), billed to whichever contender allocates most
JAVA_OPTS=(-Xms2g -Xmx2g -XX:+UseG1GC -XX:+AlwaysPreTouch --enable-native-access=ALL-UNNAMED)  # serial loads jSerialComm
echo "uptime: $(uptime); ulimit -n: $(ulimit -n)"
for mode in pinned unpinned; do
  pin=()
  if [ "$mode" = pinned ]; then pin=(taskset -c 1); fi
  echo "== $mode: $(uptime)"
  "${pin[@]}" java "${JAVA_OPTS[@]}" -cp "$JAR" dev.labwire.bench.e2e.Loopback "$@" --out "$OUT/$mode.md" 2> >(tee "$OUT/$mode.log" >&2)
  if command -v sockperf >/dev/null 2>&1; then
    port=$((20000 + RANDOM % 20000))
    "${pin[@]}" sockperf sr --tcp -i 127.0.0.1 -p "$port" >/dev/null 2>&1 &
    server=$!
    sleep 1
    {
      echo
      echo "### Physical limit: sockperf ping-pong, TCP, 14-byte messages, 5 s ($mode)"
      echo
      echo '```'
      "${pin[@]}" sockperf pp --tcp -i 127.0.0.1 -p "$port" -t 5 -m 14 2>&1 | sed 's/\x1b\[[0-9;]*m//g' \
        | grep -E "Valid Duration|avg-latency|percentile (50\.000|99\.000|99\.900) |MAX" || true
      echo '```'
      echo "(sockperf reports latency as half the round trip.)"
    } | tee -a "$OUT/$mode.md"
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
done
