#!/usr/bin/env bash
# The MQTT gateway against a direct labwire call, through a real mosquitto (Debian: apt-get install mosquitto) that
# the harness starts on a free loopback port: request/reply latency (direct NettyClient vs RemoteInstrument ->
# broker -> gateway -> instrument) and retained value updates/s. Unpinned (the broker is a third process).
# Usage: benchmarks/scripts/mqtt.sh [--calls 5000] [--rounds 3] [--streams 10] [--hz 1000] [--seconds 5]
# Writes benchmarks/target/mqtt/mqtt.md. About a minute.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=benchmarks/target/benchmarks.jar
OUT=benchmarks/target/mqtt
if [ ! -f "$JAR" ] || [ -n "${REBUILD:-}" ]; then
  mvn -B -q -pl benchmarks -am package -DskipTests -Djacoco.skip=true
fi
mkdir -p "$OUT"
echo "uptime: $(uptime)"
java -Xms1g -Xmx1g -XX:+UseG1GC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$JAR" \
  dev.labwire.bench.mqtt.MqttBench "$@" | tee "$OUT/mqtt.md"
