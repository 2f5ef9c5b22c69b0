#!/usr/bin/env bash
# Benchmark (not a test) of rendered crawling, each figure next to its peer from the same run:
#   a scripted site (every page's links written by a script) of PAGES pages over 8 hosts
#   (127.0.1.1-8), each request answered after LATENCY ms;
#   1. the seed's Selenium sketch (bench/render-drivers: one ChromeDriver, one page at a time, links
#      read from the DOM after each load): pages/s over its first 100 pages, driving full Chromium
#      and (when installed) the headless shell the crawler uses; the faster is the reference;
#   2. one crawler-service process rendering every page (--render always) with a pool of 1, 2, 4
#      and 8 browsers: pages/s of a PAGES-page crawl after a warm-up crawl, and the memory of the
#      process with its browsers (peak of the summed PSS, sampled every 0.5 s);
#   3. the same site with its links in the HTML, on one host behind a login form (site serve
#      --login), crawled logged in over HTTP only (--render never: the HTTP fetcher with the
#      session's cookies) and rendered (--render always, pool 4): what rendering costs a page that
#      does not need it.
#   bench/render.sh [PAGES] [LATENCY_MS]
# Needs Debian's chromium and chromium-driver. The site, the browsers, the crawler, the broker and
# the CLI following the crawl share this machine's cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pages=${1:-300}
latency=${2:-250}
P="$root/bin/pipeline"
"$P" --version >/dev/null # builds the jars if needed
JDK="$("$root/bin/find-jdk")"
JAVA="$JDK/bin/java"
CLI_JAR="$root/pipeline-cli/target/pipeline-cli.jar"
JAVA_HOME="$JDK" "$root/mvnw" -q -f "$root/bench/render-drivers/pom.xml" compile \
  dependency:build-classpath -Dmdep.outputFile=target/cp.txt
peer_cp="$root/bench/render-drivers/target/classes:$(cat "$root/bench/render-drivers/target/cp.txt")"
work=$(mktemp -d /tmp/render-bench.XXXXXX)
export PIPELINE_HOME=$work/home PIPELINE_KAFKA_PORT=${BENCH_KAFKA_PORT:-19492}
site_pid=
sampler_pid=
cleanup() {
  [ -n "$sampler_pid" ] && kill "$sampler_pid" 2>/dev/null || true
  [ -n "$site_pid" ] && kill "$site_pid" 2>/dev/null || true
  "$P" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

serve() { # PORT HOSTS [--scripted|--login NAME] -> sets url to the home page (not in a subshell: the trap must know site_pid)
  [ -n "$site_pid" ] && kill "$site_pid" && wait "$site_pid" 2>/dev/null || true
  "$JAVA" -XX:+UseSerialGC -jar "$CLI_JAR" site serve --pages 100000 --hosts "$2" \
    --latency "$latency" --port "$1" "${@:3}" >"$work/site.out" 2>"$work/site.err" &
  site_pid=$!
  for _ in $(seq 100); do [ -s "$work/site.out" ] && break; sleep 0.1; done
  url=$(head -1 "$work/site.out")
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
per_host=4 # requests in flight per host
crawl() { # URL RENDER MAX_PAGES [CRAWL OPTIONS] -> pages/s of one crawl
  "$P" crawl "$1" --render "$2" --max-pages "$3" --depth 100 --scope any --delay 0 \
    --per-host-concurrency "$per_host" --ignore-robots --allow-private-addresses --wait --json "${@:4}" |
    field pagesPerSecond
}
# The logged-in crawl's account: the site and the crawler read the same variables.
export PIPELINE_CREDENTIAL_BENCH_USERNAME=bench PIPELINE_CREDENTIAL_BENCH_PASSWORD="bench-$RANDOM$RANDOM"
crawler_pid() { "$P" status --json --interval 0.2 | python3 -c 'import json,sys
print(next(p["pid"] for p in json.load(sys.stdin)["processes"] if p["service"]=="crawler-service"))'; }
pss_mib() { # PID -> PSS of the process and all its descendants, MiB
  local pids=$1 frontier=$1 next
  while [ -n "$frontier" ]; do
    next=$(for p in $frontier; do pgrep -P "$p" || true; done | tr '\n' ' ')
    pids="$pids $next"
    frontier=$(echo "$next" | xargs)
  done
  for p in $pids; do awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true; done |
    awk '{s += $1} END {printf "%d", s / 1024}'
}
sample() { # PID FILE: the highest PSS seen, written to FILE, until killed
  local peak=0 now
  while true; do
    now=$(pss_mib "$1")
    [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" >"$2"
    sleep 0.5
  done
}
up_with_pool() {
  "$P" down >/dev/null 2>&1 || true
  PIPELINE_CRAWLER_RENDER_POOL=$1 "$P" up --producers 0 --consumers 0 --hashers 0 --crawlers 1 >/dev/null
  sleep 3
}
ratio() { awk "BEGIN{printf \"%.1f\", $1/$2}"; }

shell=/usr/bin/chromium-headless-shell
crawler_browser=$([ -x "$shell" ] && echo "$shell" || echo /usr/bin/chromium)
echo "# render benchmark: $(nproc) cores, $(chromium --version 2>/dev/null), $latency ms per request"
echo "# the crawler renders with $crawler_browser (its default)"
echo
serve 18500 8 --scripted
peer() { "$JAVA" -Dchromium="$1" -cp "$peer_cp" RenderDrivers selenium-crawl "$url" 100 2>/dev/null | field pagesPerSecond; }
seq_full=$(peer /usr/bin/chromium)
seq=$seq_full
if [ -x "$shell" ]; then
  seq_shell=$(peer "$shell")
  seq=$(awk "BEGIN{print ($seq_shell > $seq_full) ? $seq_shell : $seq_full}")
fi

echo "## Every page rendered (scripted links): pages/s of $pages pages"
echo
echo "| crawler | pages/s | vs sequential | peak PSS MiB (process + browsers) |"
echo "| --- | ---: | ---: | ---: |"
echo "| sequential Selenium (the seed's sketch), chromium | $seq_full | $(ratio "$seq_full" "$seq") | |"
[ -x "$shell" ] && echo "| sequential Selenium (the seed's sketch), chromium-headless-shell | $seq_shell | $(ratio "$seq_shell" "$seq") | |"
for pool in 1 2 4 8; do
  up_with_pool "$pool"
  crawl "$url" always 60 >/dev/null # starts the browsers, warms the JIT
  echo 0 >"$work/peak"
  sample "$(crawler_pid)" "$work/peak" &
  sampler_pid=$!
  rate=$(crawl "$url" always "$pages")
  kill "$sampler_pid" && wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=
  echo "| crawler-service, 1 process, $pool browser(s) | $rate | $(ratio "$rate" "$seq") | $(cat "$work/peak") |"
  cp "$work/peak" "$work/peak.$pool"
done
echo
# Each browser holds one context (and up to 8 pages) of the crawl: what one more costs.
echo "Memory per browser with its crawl's context: $(awk "BEGIN{printf \"%d\", ($(cat "$work/peak.8") - $(cat "$work/peak.1")) / 7}") MiB"
echo "(peak PSS with 8 browsers minus with 1, over 7); the process with 1 browser: $(cat "$work/peak.1") MiB"
echo

serve 18501 1 --login bench
login=(--login-url "${url%/p0}/login" --credential bench)
per_host=64
up_with_pool 4
crawl "$url" never 200 "${login[@]}" >/dev/null
plain=$(crawl "$url" never "$((pages * 4))" "${login[@]}") # quick: more pages, so ramp-up weighs less
crawl "$url" always 60 "${login[@]}" >/dev/null
rendered=$(crawl "$url" always "$pages" "${login[@]}")
echo "## Logged in, links in the HTML: what rendering costs a page that does not need it"
echo
echo "| crawl (one host, 64 requests in flight, logged in) | pages/s |"
echo "| --- | ---: |"
echo "| --render never (HTTP with the session's cookies) | $plain |"
echo "| --render always (4 browsers, the session's cookies) | $rendered |"
echo "| ratio | $(ratio "$plain" "$rendered") |"
