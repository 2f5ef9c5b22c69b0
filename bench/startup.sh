#!/usr/bin/env bash
# Benchmark (not a test): time from 'bin/pipeline up' to every process ready, and the resident
# memory of the broker and of idle workers. Runs ROUNDS cold starts (a fresh PIPELINE_HOME each,
# so the broker formats its storage and the JVMs have no class-data archive yet) and ROUNDS warm
# starts (same home again). Prints a Markdown table for the README.
#   bench/startup.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-3}
"$root/bin/pipeline" --version >/dev/null   # builds the jars first if needed
export PIPELINE_KAFKA_PORT=${PIPELINE_KAFKA_PORT:-19092}

rss_of() { # status JSON, service -> MiB of the first process
  python3 -c 'import json,sys; s=json.loads(sys.argv[1]); print(next((p["rssBytes"]//1048576 for p in s["processes"] if p["service"]==sys.argv[2]), "-"))' "$1" "$2"
}

run() { # label home
  local start end status
  start=$(date +%s.%N)
  PIPELINE_HOME=$2 "$root/bin/pipeline" up >/dev/null
  end=$(date +%s.%N)
  sleep 10 # let the workers settle into idle
  status=$(PIPELINE_HOME=$2 "$root/bin/pipeline" status --json --interval 1)
  printf "| %s | %.1f | %s | %s | %s | %s | %s |\n" "$1" "$(awk "BEGIN{print $end - $start}")" \
    "$(rss_of "$status" local-kafka)" "$(rss_of "$status" producer-service)" "$(rss_of "$status" consumer-service)" \
    "$(rss_of "$status" crawler-service)" "$(rss_of "$status" hasher-worker)"
  PIPELINE_HOME=$2 "$root/bin/pipeline" down >/dev/null
}

echo "java: $("$("$root/bin/find-jdk")/bin/java" -version 2>&1 | head -1); $(nproc) cores"
echo
echo "| start | up to ready (s) | broker RSS (MiB) | producer-service | consumer-service | crawler-service | hasher-worker |"
echo "|---|---|---|---|---|---|---|"
for i in $(seq 1 "$rounds"); do
  home=$(mktemp -d)
  run "cold #$i" "$home"
  run "warm #$i" "$home"
  rm -rf "$home"
done
