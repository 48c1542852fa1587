#!/usr/bin/env bash
# labwire side by side with PyVISA (Debian's python3-pyvisa + python3-pyvisa-py), installed here if missing: never in
# CI. Runs `Loopback pyvisa` (see dev.labwire.bench.e2e.PyVisaBench) unpinned, then pinned to one CPU (the server's
# child JVM and the Python clients inherit the affinity).
# Usage: benchmarks/scripts/pyvisa.sh [options]   e.g.  benchmarks/scripts/pyvisa.sh --rounds 3 --seconds 2
# Writes benchmarks/target/pyvisa/{unpinned,pinned}.md. About 6 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! /usr/bin/python3 -c 'import pyvisa, pyvisa_py' 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-pyvisa-py
fi
JAR=benchmarks/target/benchmarks.jar
OUT=benchmarks/target/pyvisa
if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip=true
fi
mkdir -p "$OUT"
JAVA_OPTS=(-Xms2g -Xmx2g -XX:+UseG1GC -XX:+AlwaysPreTouch)  # pages touched at start, as in e2e.sh
for mode in unpinned pinned; do
  pin=()
  if [ "$mode" = pinned ]; then pin=(taskset -c 1); fi
  echo "== $mode: $(uptime)"
  "${pin[@]}" java "${JAVA_OPTS[@]}" -cp "$JAR" dev.labwire.bench.e2e.Loopback pyvisa "$@" --out "$OUT/$mode.md" \
      2> >(tee "$OUT/$mode.log" >&2)
done
