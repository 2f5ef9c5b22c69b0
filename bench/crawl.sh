#!/usr/bin/env bash
# Benchmark (not a test) of the crawler, each figure next to its peer from the same run:
#   1. a generated site of PAGES pages (default 5,000) over 16 hosts (127.0.1.1-16), every request
#      answered after 25 ms: pages/s of the sequential crawler (the seed's algorithm: a deque, a
#      visited set, one fetch at a time) on its first 1,000 pages, then of crawler-service with 1 and
#      2 processes crawling the whole site (--per-host-concurrency 8, --delay 0);
#   2. the same site answering at once: pages/s of one process, and its peak RSS (VmHWM).
#   bench/crawl.sh [PAGES]
# Each crawler figure is the median of 3 crawls after 4 warm-up crawls (a fresh JVM compiles for
# its first ~20,000 pages). Only the broker and the
# crawlers run (no consumer-service storing pages); the site, the crawlers, the broker and the CLI
# following the crawl share this machine's cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pages=${1:-5000}
P="$root/bin/pipeline"
"$P" --version >/dev/null   # builds the jars if needed
JAVA="$("$root/bin/find-jdk")/bin/java"
CLI_JAR="$root/pipeline-cli/target/pipeline-cli.jar"
work=$(mktemp -d /tmp/crawl-bench.XXXXXX)
export PIPELINE_HOME=$work/home PIPELINE_KAFKA_PORT=${BENCH_KAFKA_PORT:-19392}
site_pid=
cleanup() {
  [ -n "$site_pid" ] && kill "$site_pid" 2>/dev/null || true
  "$P" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

serve() { # LATENCY_MS PORT -> sets url to the home page (not in a subshell: the trap must know site_pid); the site runs with the JIT at full power
  [ -n "$site_pid" ] && kill "$site_pid" && wait "$site_pid" 2>/dev/null || true
  "$JAVA" -XX:+UseSerialGC -jar "$CLI_JAR" site serve --pages "$pages" --hosts 16 --latency "$1" \
    --port "$2" >"$work/site.out" 2>"$work/site.err" &
  site_pid=$!
  for _ in $(seq 100); do [ -s "$work/site.out" ] && break; sleep 0.1; done
  url=$(head -1 "$work/site.out")
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
crawl() { # URL -> pages/s of one whole crawl
  "$P" crawl "$1" --depth 100 --scope any --delay 0 --per-host-concurrency 8 \
    --allow-private-addresses --wait --json | field pagesPerSecond
}
median3() { # URL -> median pages/s of 3 crawls after warm-up crawls (the JIT needs ~20,000 pages)
  for _ in 1 2 3 4; do crawl "$1" >/dev/null; done
  printf '%s\n' "$(crawl "$1")" "$(crawl "$1")" "$(crawl "$1")" | sort -g | sed -n 2p
}
crawlers() { "$P" status --json --interval 0.2 | python3 -c 'import json,sys
print(" ".join(str(p["pid"]) for p in json.load(sys.stdin)["processes"] if p["service"]=="crawler-service"))'; }
scale() { "$P" scale "crawler-service=$1" >/dev/null; sleep 8; }  # let the group settle
ratio() { awk "BEGIN{printf \"%.1f\", $1/$2}"; }

echo "# crawler benchmark: $(nproc) cores, $pages pages on 16 hosts"
echo
"$P" up --producers 0 --consumers 0 --hashers 0 --crawlers 1 >/dev/null
sleep 5

serve 25 18400
seq=$("$JAVA" -XX:+UseSerialGC -jar "$CLI_JAR" site crawl-sequential "$url" --max-pages 1000 --json | field pagesPerSecond)
one=$(median3 "$url")
scale 2
two=$(median3 "$url")
echo "## 25 ms per request: pages/s"
echo
echo "| crawler | pages/s | vs sequential |"
echo "| --- | ---: | ---: |"
echo "| sequential (the seed's algorithm) | $seq | 1.0 |"
echo "| crawler-service, 1 process | $one | $(ratio "$one" "$seq") |"
echo "| crawler-service, 2 processes | $two | $(ratio "$two" "$seq") |"
echo

serve 0 18401
scale 1
fast=$(median3 "$url")
rss=$(for pid in $(crawlers); do awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$pid/status"; done)
seq_fast=$("$JAVA" -XX:+UseSerialGC -jar "$CLI_JAR" site crawl-sequential "$url" --json | field pagesPerSecond)
echo "## No latency: pages/s of one process"
echo
echo "| crawler | pages/s | peak RSS MiB |"
echo "| --- | ---: | ---: |"
echo "| sequential (the seed's algorithm) | $seq_fast | |"
echo "| crawler-service, 1 process | $fast | $rss |"
