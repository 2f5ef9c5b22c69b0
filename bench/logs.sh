#!/usr/bin/env bash
# Benchmark (not a test) of the log-events path, each figure next to its peer from the same run:
#   1. publishing: 'pipeline publish logs' against Kafka's own ProducerPerformance on the same
#      broker, with the same payloads (real generated events), acks=all, lz4, idempotence;
#   2. storing: events/s into SQLite and PostgreSQL with one and with two consumer-service processes,
#      timed from the first to the last row committed (start-up excluded);
#   3. end-to-end latency at a steady 5,000 events/s, publish to row committed: p50, p99;
#   4. peak RSS (VmHWM) of every process.
#   bench/logs.sh [EVENTS]      (default 1,000,000; BENCH_SECTIONS="1 2 3" picks sections)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
events=${1:-1000000}
export JAVA_HOME; JAVA_HOME=$("$root/bin/find-jdk")
java="$JAVA_HOME/bin/java"
"$root/bin/pipeline" --version >/dev/null   # builds the jars if needed
(cd "$root" && ./mvnw -q -f bench/pom.xml dependency:build-classpath -Dmdep.outputFile="$root/bench/target/peers.cp")
peers=$(cat "$root/bench/target/peers.cp")
work=$(mktemp -d)
port=${BENCH_KAFKA_PORT:-19192}
bootstrap=127.0.0.1:$port
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export PIPELINE_HOME=$work/home
export PGOPTIONS="-c client_min_messages=warning"

"$java" -jar "$root/local-kafka/target/local-kafka.jar" --port "$port" --data-dir "$work/kafka" >"$work/kafka.log" 2>&1 &
broker=$!; pids+=("$broker")
alive() { # pid name log -> stops the run with the end of the log if the process has died
  kill -0 "$1" 2>/dev/null || { echo "bench: $2 $1 died; the end of its log:" >&2; tail -40 "$3" >&2; exit 1; }
}
until grep -q "local-kafka ready" "$work/kafka.log"; do alive "$broker" broker "$work/kafka.log"; sleep 0.2; done

tool() { "$java" -cp "$peers" "$@"; }
topic() { tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create --topic "$1" --partitions "${2:-12}" >/dev/null; }
hwm() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$1/status"; }
for t in bench.warmup bench.train bench.ours bench.peer bench.store bench.latency.sqlite bench.latency.postgresql; do topic "$t"; topic "$t.dlq" 3; done

echo "# log-events benchmark: $events events, $(nproc) cores, $("$java" -version 2>&1 | head -1)"
echo
jdk_major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release")
consumer_vm=()   # set per store by train_consumer on JDK 25+
# --http-port 0: the consumer binds a port of the kernel's choosing. (A port found free beforehand
# could be taken meanwhile as the source port of another process's connection.)
start_consumer() { # db-url group topic -> pid
  "$java" -Xmx512m -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED "${consumer_vm[@]}" -jar "$root/consumer-service/target/consumer-service.jar" \
    --bootstrap "$bootstrap" --topic "$3" --group "$2" --db-url "$1" --http-port 0 >>"$work/consumer.log" 2>&1 &
  echo $!
}
wait_stored() { # db-url schema count pid... -> waits until the store holds count rows; stops if a consumer dies
  local url=$1 schema=$2 count=$3 c; shift 3
  until [ "$(stored "$url" "$schema")" -ge "$count" ]; do
    for c in "$@"; do alive "$c" consumer "$work/consumer.log"; done
    sleep 1
  done
}
stored() { # db-url -> rows
  case "$1" in
    jdbc:sqlite:*) python3 -c 'import sqlite3,sys
try: print(sqlite3.connect(sys.argv[1]).execute("select count(*) from log_events").fetchone()[0])
except Exception: print(0)' "${1#jdbc:sqlite:}" ;;
    *) psql -h 127.0.0.1 -U postgres -d test -tA -c "select count(*) from $2.log_events" 2>/dev/null || echo 0 ;;
  esac
}
span_ms() { # db-url schema -> ms between first and last stored row
  case "$1" in
    jdbc:sqlite:*) python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select max(stored_at)-min(stored_at) from log_events").fetchone()[0])' "${1#jdbc:sqlite:}" ;;
    *) psql -h 127.0.0.1 -U postgres -d test -tA -c "select max(stored_at)-min(stored_at) from $2.log_events" ;;
  esac
}
pg_url() { psql -h 127.0.0.1 -U postgres -d test -q -c "drop schema if exists $1 cascade; create schema $1" >/dev/null; echo "jdbc:postgresql://127.0.0.1:5432/test?user=postgres&currentSchema=$1"; }
sections=${BENCH_SECTIONS:-1 2 3}
run_section() { [[ " $sections " == *" $1 "* ]]; }
if run_section 1; then
echo "## 1. Publishing (acks=all, idempotent, lz4, linger 5 ms, batch 128 KiB)"
ours() { # topic count -> events/s
  local out; out=$("$root/bin/pipeline" publish logs --count "$2" --bootstrap "$bootstrap" --topic "$1")
  echo "$out" | sed -n 's/.*(\([0-9,]*\)\/s).*/\1/p' | tr -d ,
}
peer() { # topic count -> records/s
  tool org.apache.kafka.tools.ProducerPerformance --topic "$1" --num-records "$2" --throughput -1 \
    --payload-file "$work/payloads.txt" --command-property bootstrap.servers="$bootstrap" acks=all \
    compression.type=lz4 linger.ms=5 batch.size=131072 enable.idempotence=true 2>/dev/null \
    | tail -1 | sed -n 's/.*records sent, \([0-9.]*\) records\/sec.*/\1/p' | cut -d. -f1
}
# The peer sends real payloads of ours. Making them is also the broker's warm-up: a fresh broker
# runs its first second or two interpreted, and whichever tool ran first used to pay for it.
ours bench.warmup 200000 >/dev/null
tool org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$bootstrap" --topic bench.warmup \
  --from-beginning --max-messages 20000 >"$work/payloads.txt" 2>/dev/null
avg=$(awk '{n++; s+=length($0)} END {printf "%d", s/n}' "$work/payloads.txt")
peer bench.warmup 200000 >/dev/null
# Interleaved, three runs each; the median is the figure (single runs here vary by 20-30%).
ours_runs=(); peer_runs=()
for _ in 1 2 3; do ours_runs+=("$(ours bench.ours "$events")"); peer_runs+=("$(peer bench.peer "$events")"); done
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
o=$(median "${ours_runs[@]}"); p=$(median "${peer_runs[@]}")
echo "| publisher | events/s (median of 3) | runs, in order |"
echo "|---|---|---|"
echo "| pipeline publish logs | $o | ${ours_runs[*]} |"
echo "| Kafka ProducerPerformance (same ${avg}-byte JSON payloads) | $p | ${peer_runs[*]} |"
echo "| ratio | $(awk "BEGIN{printf \"%.2f\", $o/$p}") | |"
echo

fi
if run_section 2; then
echo "## 2. Storing (events/s from the first to the last row committed)"
"$root/bin/pipeline" publish logs --count "$events" --bootstrap "$bootstrap" --topic bench.store >/dev/null
# The consumers run as 'pipeline up' runs them once a service has run before: on JDK 25+ with the
# AOT cache a run of their own taught (classes linked, method profiles; see ServiceJvmCache). One
# consumer per store stores 200,000 events and writes the cache as it stops.
train_consumer() { # store db-url -> sets consumer_vm
  consumer_vm=()
  [ "$jdk_major" -ge 25 ] || return 0
  local aot="$work/consumer-$1.aot" before c
  before=$(stored "$2" bench_train)
  consumer_vm=(-XX:AOTCacheOutput="$aot" -Xlog:aot=off -Xlog:cds=off)
  c=$(start_consumer "$2" "train-$1" bench.train)
  wait_stored "$2" bench_train $((before + 200000)) "$c"
  kill "$c"; while kill -0 "$c" 2>/dev/null; do sleep 0.2; done
  consumer_vm=(-XX:AOTCache="$aot" -Xlog:aot=off -Xlog:cds=off)
  [ -f "$aot" ] || { echo "bench: the consumer wrote no AOT cache" >&2; exit 1; }
}
"$root/bin/pipeline" publish logs --count 200000 --bootstrap "$bootstrap" --topic bench.train >/dev/null
# A group shares partitions, not events: how the events were split shows whether two processes
# really shared the work (keys that hash into few partitions leave one of them next to idle).
partition_split() { # group -> percent of the topic's events in each member's partitions, e.g. "47/53"
  tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$bootstrap" --describe --group "$1" 2>/dev/null \
    | awk '$2 == "bench.store" && $5 ~ /^[0-9]+$/ {n[$7] += $5; t += $5} END {for (m in n) printf "%d\n", 100 * n[m] / t}' \
    | sort -n | paste -sd/
}
echo "| store | processes | events/s | peak RSS per process (MiB) | events in each process's partitions (%) |"
echo "|---|---|---|---|---|"
for store in sqlite postgresql; do
  if [ "$store" = sqlite ]; then train_consumer sqlite "jdbc:sqlite:$work/train.db"; else train_consumer postgresql "$(pg_url bench_train)"; fi
  for procs in 1 2; do
    schema="bench_${procs}"
    if [ "$store" = sqlite ]; then url="jdbc:sqlite:$work/store-$procs.db"; else url=$(pg_url "$schema"); fi
    group="store-$store-$procs"
    cpids=()
    for _ in $(seq 1 "$procs"); do cpids+=("$(start_consumer "$url" "$group" bench.store)"); done
    pids+=("${cpids[@]}")
    wait_stored "$url" "$schema" "$events" "${cpids[@]}"
    rss=$(for c in "${cpids[@]}"; do hwm "$c"; echo -n " "; done)
    shares=$(partition_split "$group")
    for c in "${cpids[@]}"; do kill "$c"; done
    ms=$(span_ms "$url" "$schema")
    echo "| $store | $procs | $(awk "BEGIN{printf \"%d\", $events*1000/$ms}") | $rss| $shares |"
  done
done
echo

fi
if run_section 3; then
echo "## 3. End-to-end latency at 5,000 events/s for 60 s (publish to row committed; the first 10 s are warm-up and left out)"
# The last column tells a stall from a slow store: a stall makes a few seconds slow, all at once.
echo "| store | p50 ms | p99 ms | max ms | seconds holding an event over 100 ms |"
echo "|---|---|---|---|---|"
: >"$work/consumer.log"   # the waits below look for this section's consumer in it
for store in sqlite postgresql; do
  schema=bench_latency
  consumer_vm=()
  if [ -f "$work/consumer-$store.aot" ]; then consumer_vm=(-XX:AOTCache="$work/consumer-$store.aot" -Xlog:aot=off -Xlog:cds=off); fi
  if [ "$store" = sqlite ]; then url="jdbc:sqlite:$work/latency.db"; else url=$(pg_url "$schema"); fi
  c=$(start_consumer "$url" "latency-$store" "bench.latency.$store"); pids+=("$c")
  until grep -q "consumer-service ready" "$work/consumer.log" && [ "$(grep -c "Assigned" "$work/consumer.log")" -ge 1 ]; do
    alive "$c" consumer "$work/consumer.log"; sleep 0.2
  done
  sleep 2
  before=$(stored "$url" "$schema")
  "$root/bin/pipeline" publish logs --count 300000 --rate 5000 --bootstrap "$bootstrap" --topic "bench.latency.$store" >/dev/null
  wait_stored "$url" "$schema" $((before + 300000)) "$c"
  kill "$c"
  steady="ts >= (select min(ts) from log_events) + 10000"
  query="select stored_at - ts, ts / 1000 from log_events where $steady order by 1"
  case "$store" in
    sqlite) python3 -c 'import sqlite3,sys
rows=list(sqlite3.connect(sys.argv[1]).execute(sys.argv[2])); v=[r[0] for r in rows]
slow=len({r[1] for r in rows if r[0] > 100}); total=len({r[1] for r in rows})
print("| sqlite | %d | %d | %d | %d of %d |" % (v[len(v)//2], v[int(len(v)*0.99)], v[-1], slow, total))' "${url#jdbc:sqlite:}" "$query" ;;
    *) psql -h 127.0.0.1 -U postgres -d test -tA -F ' ' -c "select percentile_disc(0.5) within group (order by stored_at-ts), percentile_disc(0.99) within group (order by stored_at-ts), max(stored_at-ts), count(distinct ts / 1000) filter (where stored_at - ts > 100), count(distinct ts / 1000) from $schema.log_events where $(echo "$steady" | sed "s/from log_events/from $schema.log_events/")" \
         | awk '{printf "| postgresql | %d | %d | %d | %d of %d |\n", $1, $2, $3, $4, $5}' ;;
  esac
  : >"$work/consumer.log"
done
fi
echo
echo "Broker peak RSS: $(hwm "$broker") MiB"
