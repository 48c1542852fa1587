#!/usr/bin/env bash
# JMH: every framer against its Netty twin, and the core's cost per exchange, with -prof gc.
# Usage (from anywhere): benchmarks/scripts/jmh.sh [JMH options, e.g. -p framing=SCPI_LF]
# Writes benchmarks/target/jmh.md (the tables of docs/BENCHMARKS.md) and benchmarks/target/jmh-result.json.
# About 10 minutes with the defaults (-f 1 -wi 3 -i 5 -w 1s -r 1s).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=benchmarks/target/benchmarks.jar
if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip=true
fi
echo "uptime: $(uptime)"
java -cp "$JAR" dev.labwire.bench.jmh.Suite --out benchmarks/target/jmh.md "$@"
