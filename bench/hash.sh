#!/usr/bin/env bash
# Benchmark (not a test) of the hasher, each figure next to its peer from the same run:
#   1. large files (8 x 512 MiB, in page cache): MiB/s with 1 and 2 hasher processes, with a thread
#      per core (the default) and with one thread each, against openssl dgst -sha256 (one core, and
#      two at once), sha256sum, and xargs -P2 sha256sum;
#   2. 20,000 files of 1-64 KiB: files/s with 1 and 2 processes against find | xargs -P2 sha256sum;
#   3. tiny inline jobs (the seed's random strings): jobs/s end to end (published, hashed,
#      acknowledged, result on hash.results) with 1 and 2 processes, share group against a classic
#      consumer group on the same load;
#   4. peak RSS (VmHWM) of each hasher process, and its anonymous RSS (without mapped file pages).
#   bench/hash.sh [TINY_JOBS]       (default 300,000; BENCH_SECTIONS="1 2 3" picks sections)
# Everything runs on this machine: broker, workers and peers share its cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tiny=${1:-300000}
sections=${BENCH_SECTIONS:-1 2 3}
run_section() { [[ " $sections " == *" $1 "* ]]; }
P="$root/bin/pipeline"
"$P" --version >/dev/null   # builds the jars if needed
work=$(mktemp -d /tmp/hash-bench.XXXXXX)
export PIPELINE_HOME=$work/home PIPELINE_KAFKA_PORT=${BENCH_KAFKA_PORT:-19292} PIPELINE_HASHER_ROOTS=$work
cleanup() { "$P" down >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

secs() { python3 -c 'import json,sys; print(json.load(sys.stdin)["seconds"])'; }
ours() { # PATH [--producer] -> seconds for bin/pipeline hash PATH --wait (first job sent to last result)
  # The whole command's seconds go to $work/whole, timed around the command alone: its report goes
  # to a file and is read after.
  local s; s=$(date +%s.%N)
  (cd "$work" && env ${OWN_JVM:+PIPELINE_NO_RESIDENT=1} "$P" hash "$@" --wait --json >"$work/report.json")
  echo "$(date +%s.%N) - $s" | bc -l >"$work/whole"
  secs <"$work/report.json"
}
timed() { local s; s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc -l; }
rate() { awk "BEGIN{printf \"%.0f\", $1/$2}"; }
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }   # of an odd count
pipeline_pids() { # [SERVICE] -> the pids of the pipeline's processes (of that service only, if given)
  "$P" status --json --interval 0.2 | python3 -c 'import json,sys
print(" ".join(str(p["pid"]) for p in json.load(sys.stdin)["processes"] if sys.argv[1] in ("", p["service"])))' "${1:-}"
}
hashers() { pipeline_pids hasher-worker; }
hwm() { awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$1/status"; }
scale() { "$P" scale "hasher-worker=$1" >/dev/null; }
jit() { # PIDS... -> CPU time (1/100 s) of the JIT compiler threads of those JVMs so far
  local s=0 t c
  for p in "$@"; do
    for t in /proc/"$p"/task/*; do
      c=$(cat "$t/comm" 2>/dev/null) || continue
      if [[ $c == C[12]\ Compiler* ]]; then s=$((s + $(awk '{sub(/.*\) /, ""); print $12+$13}' "$t/stat" 2>/dev/null || echo 0))); fi
    done
  done
  echo "$s"
}
echo "# hasher benchmark: $(nproc) cores, $(openssl version | cut -d' ' -f1-2), $(sha256sum --version | head -1)"
echo

if run_section 3; then
  # A classic consumer group first, on a broker of its own: it starts at the earliest offset.
  "$P" up --producers 0 --consumers 0 --crawlers 0 --hashers 0 >/dev/null
  echo "## Tiny inline jobs, $tiny per run after 600,000 to warm up: jobs/s end to end, median of 3"
  echo
  echo "| consumption | 1 process | 2 processes | 2 vs 1 |"
  echo "| --- | ---: | ---: | ---: |"
  for model in GROUP SHARE; do
    if [ "$model" = SHARE ]; then
      "$P" down >/dev/null; rm -rf "$PIPELINE_HOME"
      "$P" up --producers 0 --consumers 0 --crawlers 0 --hashers 0 >/dev/null
    fi
    row=()
    for n in 1 2; do
      # Tiny jobs: 2,000 a poll (--batch) instead of the default 500, fewer round trips per job.
      PIPELINE_HASHER_BATCH=2000 PIPELINE_HASHER_CONSUMPTION=$model scale "$n"
      # Warm-up: a fresh worker, and a fresh broker, spend their first runs compiling (after one
      # warm-up of 200,000 the share group ran 39-41k jobs/s; on a broker warmed by many runs 50-64k).
      for _ in 1 2 3; do "$P" publish hash --strings 200000 --wait >/dev/null; done
      runs=()
      for _ in 1 2 3; do
        runs+=("$("$P" publish hash --strings "$tiny" --wait | awk '/jobs\/s end to end/ {gsub(",","",$(NF-4)); print $(NF-4)}')")
      done
      row+=("$(median "${runs[@]}")")
    done
    echo "| $( [ $model = SHARE ] && echo 'share group (KIP-932)' || echo 'consumer group' ) | ${row[0]} | ${row[1]} | $(awk "BEGIN{printf \"%.2f\", ${row[1]}/${row[0]}}") |"
    scale 0
  done
  echo
  "$P" down >/dev/null; rm -rf "$PIPELINE_HOME"
fi

# One producer-service, for 'pipeline hash --producer'.
"$P" up --producers 1 --consumers 0 --crawlers 0 --hashers 0 >/dev/null
if run_section 1; then
  mkdir -p "$work/large"
  for i in 1 2 3 4 5 6 7 8; do head -c 512M /dev/urandom >"$work/large/f$i"; done
  cat "$work"/large/* >/dev/null
  mib=4096
  echo "## Large files: 8 x 512 MiB in page cache, MiB/s, median of 5 runs after warming up"
  echo
  # Each peer's median of three too (one run of openssl once read 889 MiB/s where it does 1,070).
  peer() { median "$(timed "$@")" "$(timed "$@")" "$(timed "$@")"; }
  openssl_s=$(peer openssl dgst -sha256 "$work"/large/*)
  sha_s=$(peer sha256sum "$work"/large/*)
  xargs_s=$(peer bash -c "printf '%s\n' $work/large/* | xargs -P2 -n1 sha256sum")
  # Two openssl processes at once: what this machine's two cores give together, the ceiling for
  # two processes (on a VM, often less than twice one core's rate).
  openssl2_s=$(peer bash -c "printf '%s\n' $work/large/* | xargs -P2 -n1 openssl dgst -sha256")
  one=$(rate $mib "$openssl_s")
  # The same JDK's SHA-256 on one thread and on two over the same files, without Kafka: what this
  # machine gives Java hashing (timed inside the JVM, as ours is from first job to last result).
  java=$("$root/bin/find-jdk")/bin/java
  jdk() { median "$("$java" "$root/bench/JdkHashPeer.java" "$1" "$work"/large/*)" "$("$java" "$root/bench/JdkHashPeer.java" "$1" "$work"/large/*)" "$("$java" "$root/bench/JdkHashPeer.java" "$1" "$work"/large/*)"; }
  jdk1=$(rate $mib "$(jdk 1)") jdk2=$(rate $mib "$(jdk 2)")
  echo "Warm-up: at least 5 runs, then until one in which the JIT compilers of all the pipeline's"
  echo "JVMs (broker, hashers, producer-service, resident CLI) used under 0.15 CPU-s, at most 15:"
  echo "fresh hashers, and a broker and CLI that have seen few jobs, compile for many runs (up to"
  echo "0.3-1 CPU-s a run, taken from the hashing once both cores hash). JIT: what they compiled"
  echo "during the 5 measured runs."
  echo
  echo "| hasher | MiB/s | vs openssl (1 core) x processes | warm-up runs | JIT (CPU-s) |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  for threads in 0 1; do
    for n in 1 2; do
      # --batch 1: a process takes a file at a time, so an idle one gets the next, not a busy one.
      scale 0; PIPELINE_HASHER_BATCH=1 PIPELINE_HASHER_THREADS=$threads scale "$n"
      pids=$(pipeline_pids)
      warm=0
      while :; do
        before=$(jit $pids); ours "large" >/dev/null; warm=$((warm + 1))
        if { [ "$warm" -ge 5 ] && [ $(( $(jit $pids) - before )) -lt 15 ]; } || [ "$warm" -ge 15 ]; then break; fi
      done
      before=$(jit $pids)
      s=$(median "$(ours "large")" "$(ours "large")" "$(ours "large")" "$(ours "large")" "$(ours "large")")
      compiled=$(awk "BEGIN{printf \"%.2f\", ($(jit $pids) - $before)/100}")
      r=$(rate $mib "$s")
      if [ "$threads" = 1 ]; then if [ "$n" = 1 ]; then one1=$r; else two1=$r; fi; fi
      echo "| $n process(es), $( [ $threads = 0 ] && echo 'a thread per core' || echo 'one thread each') | $r | $(awk "BEGIN{printf \"%.2f\", $r/($one*$n)}") | $warm | $compiled |"
    done
  done
  echo "| openssl dgst -sha256 (one core) | $one | |"
  echo "| 2 x openssl dgst -sha256 at once | $(rate $mib "$openssl2_s") | $(awk "BEGIN{printf \"%.2f\", $(rate $mib "$openssl2_s")/($one*2)}") |"
  echo "| the JDK's SHA-256 alone (bench/JdkHashPeer.java), one thread / two | $jdk1 / $jdk2 | |"
  echo "| sha256sum (one core) | $(rate $mib "$sha_s") | |"
  echo "| xargs -P2 sha256sum | $(rate $mib "$xargs_s") | |"
  echo
  echo "Scaling from 1 to 2 processes (one thread each): $(awk "BEGIN{printf \"%.2fx\", $two1/$one1}"); this machine's own: openssl on one core and on two at once $(awk "BEGIN{printf \"%.2fx\", $(rate $mib "$openssl2_s")/$one}"), the JDK's SHA-256 alone on one thread and two $(awk "BEGIN{printf \"%.2fx\", $jdk2/$jdk1}")"
  echo
  rm -rf "$work/large"
fi

if run_section 2; then
  python3 - "$work/small" <<'PY'
import os, random, sys
random.seed(5)
for i in range(20000):
    d = os.path.join(sys.argv[1], "d%03d" % (i % 200))
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "f%05d" % i), "wb") as f:
        f.write(os.urandom(random.randint(1024, 64 * 1024)))
PY
  cat "$work"/small/*/* >/dev/null
  echo "## 20,000 files of 1-64 KiB, files/s, warm, median of 5 runs each paired with a peer run"
  echo
  echo "Jobs: the first job sent to the last result. Whole command: the CLI's start, walk and"
  echo "report too, as a user times it; the peer's is always the whole command. Route: the CLI's"
  echo "own Kafka clients (the default), or through producer-service (--producer); run by the resident"
  echo "CLI that 'up' starts (the default), or in a JVM of its own (PIPELINE_NO_RESIDENT=1). Warm-up: runs"
  echo "until the median of the last 5 is within 5% of the 5 before (at least ${BENCH_WARMUP:-20},"
  echo "at most 60). Each measured run is followed by a run of the peer, so both see the same"
  echo "moment of this shared machine; the ratio is of the two medians."
  echo
  echo "| hasher | route | warm-up runs | files/s (jobs) | files/s (whole command) | peer files/s | jobs / peer | whole / peer |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"
  median5() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
  settled() { # SECONDS... -> true when the last 5 runs' median is within 5% of the 5 before
    python3 -c 'import statistics,sys
t=[float(x) for x in sys.argv[1:]]
a,b=statistics.median(t[-10:-5]),statistics.median(t[-5:])
sys.exit(0 if abs(b-a)<=0.05*a else 1)' "$@"
  }
  peer_cmd="cd $work && find small -type f | xargs -P2 -n 500 sha256sum"
  all_peer=()
  for n in 1 2; do
    scale 0; scale "$n"
    for route in direct own-jvm --producer; do
      args=(small); [ "$route" = --producer ] && args+=(--producer)
      OWN_JVM=""; [ "$route" = own-jvm ] && OWN_JVM=1
      # A fresh worker and the broker compile for many runs: on a fresh pipeline (session 22) one
      # hasher took 7.2, 3.4, 2.7, 2.4, 2.1, 1.8, 1.5, 1.6, 1.6, 1.6, 1.4, 1.5, 1.7, 1.4, then
      # 1.2-1.7 s; session 23 saw 1.1-1.2 s only after 40 runs. Workers run for long, so the
      # figure is the warm one: warm up until the runs stop getting faster.
      warm=()
      while :; do
        warm+=("$(ours "${args[@]}")")
        if [ "${#warm[@]}" -ge "${BENCH_WARMUP:-20}" ] && [ "${#warm[@]}" -ge 10 ] && settled "${warm[@]}"; then break; fi
        if [ "${#warm[@]}" -ge 60 ]; then break; fi
      done
      jobs=() whole=() peer=()
      for _ in 1 2 3 4 5; do
        jobs+=("$(ours "${args[@]}")")
        whole+=("$(cat "$work/whole")")
        peer+=("$(timed bash -c "$peer_cmd")")
      done
      all_peer+=("${peer[@]}")
      j=$(rate 20000 "$(median5 "${jobs[@]}")") w=$(rate 20000 "$(median5 "${whole[@]}")") q=$(rate 20000 "$(median5 "${peer[@]}")")
      echo "| $n process(es) | $( [ "$route" = own-jvm ] && echo 'direct, a JVM of its own' || echo "$route") | ${#warm[@]} | $j | $w | $q | $(awk "BEGIN{printf \"%.2f\", $j/$q}") | $(awk "BEGIN{printf \"%.2f\", $w/$q}") |"
    done
  done
  echo
  echo "The peer, find | xargs -P2 -n 500 sha256sum: $(rate 20000 "$(printf '%s\n' "${all_peer[@]}" | sort -n | tail -1)")-$(rate 20000 "$(printf '%s\n' "${all_peer[@]}" | sort -n | head -1)") files/s over its ${#all_peer[@]} runs."
  echo
fi

anon() { awk '/RssAnon/ {printf "%d", $2/1024}' "/proc/$1/status"; }
echo "Peak RSS of the hasher processes (MiB, VmHWM; mapped file pages count in it): $(for p in $(hashers); do echo -n "$(hwm "$p") "; done)"
echo "Anonymous RSS at the end (MiB, heap and the rest, no file pages): $(for p in $(hashers); do echo -n "$(anon "$p") "; done)"
