#!/usr/bin/env bash
# Records/s of the exactly-once example across processes vs the embedded cluster (issue 4). The
# same job (RECORDS numbers, unthrottled sources, checkpoint every 100 ms, parallelism 4/4/2) on
#   embedded:  `fjord run --task-managers 2 --slots 2` (one process, in-memory HA stores);
#   cluster:   ZooKeeper + 1 JobManager + 2 TaskManager processes (2 slots each), started once,
#              `fjord submit` following the job (HA stores in ZooKeeper + files);
#   cluster-1tm (to explain the difference): a second cluster in the same ZooKeeper (its own
#              cluster id) with one JobManager and ONE TaskManager process with 4 slots: every
#              task in one process, so no record crosses a process, but checkpoints, the HA
#              stores and the JobManager are as in `cluster`.
# ROUNDS rounds; the order of the variants rotates every round. Every run's output is checked
# with check_exactly_once_sum; a wrong result fails the benchmark. Figures:
#   job s:  the job's own duration, "job ... finished in S s" of the JobManager's log (job actor
#           started to all tasks finished), the same code path in every variant;
#   wall s: embedded: `fjord run`'s "FINISHED in S s" (submit to FINISHED, in-process, polled
#           every 20 ms); cluster: the whole `fjord submit` process (start, leader retrieval,
#           graph persisted, following with 100 ms polls);
#   CPU s:  user + system time of every process involved during the run (embedded: `fjord run`;
#           cluster: the JobManager, the TaskManagers, ZooKeeper and `fjord submit`), which
#           tells work (serialization) from waiting (credits crossing processes).
#
#   bench/cluster_throughput_bench.sh [BUILD_DIR] [ROUNDS] [RECORDS]   (default: build 3 5000000)
#   EXTRA_CONF='taskmanager.network.credits: 16' bench/cluster_throughput_bench.sh ...
#                                      (configuration lines added for the cluster processes)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die_usage() { echo "cluster_throughput_bench.sh: $*" >&2; exit 2; }
[ $# -le 3 ] || die_usage "too many arguments (usage: [BUILD_DIR] [ROUNDS] [RECORDS])"
build=${1:-build}
rounds=${2:-3}
records=${3:-5000000}
[[ "$rounds" =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] || die_usage "ROUNDS must be >= 1, got '$rounds'"
[[ "$records" =~ ^[0-9]+$ ]] && [ "$records" -ge 100000 ] ||
  die_usage "RECORDS must be a whole number >= 100000, got '$records'"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
fjord="$build/fjord"
checker="$build/check_exactly_once_sum"
for exe in "$fjord" "$checker"; do
  [ -x "$exe" ] || die_usage "$exe not found; build it first (cmake --build $build --target" \
    "fjord check_exactly_once_sum)"
done
spec="$root/examples/jobs/exactly_once_sum.json"
job_sets=(--set "numbers.to=$records" --set numbers.rate_per_subtask=0)

work=$(mktemp -d /tmp/fjord-throughput.XXXXXX)
cd "$work"
source "$root/scripts/cluster_lib.sh"
ok=0
# (cluster_cleanup silences stderr, so the note comes first)
trap '[ "$ok" = 1 ] || echo "(files kept in $work)" >&2; cluster_cleanup; [ "$ok" = 0 ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

fail() { echo "cluster_throughput_bench.sh: $*" >&2; exit 1; }

ticks_per_s=$(getconf CLK_TCK)
TIMEFORMAT='%U %S'  # of `time`: user and system seconds

# cpu_ticks PID...: user + system time of the processes so far, in clock ticks
cpu_ticks() {
  local p total=0
  for p in "$@"; do
    # fields 14 and 15 of /proc/PID/stat; the command name (2) may hold spaces, so cut after ")"
    total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# verify OUT_DIR WHAT: the committed output holds every value exactly once, else fail.
verify() {
  if ! "$checker" --spec "$spec" "${job_sets[@]}" --set "out.output_dir=$1" > check.out 2>&1; then
    fail "WRONG OUTPUT ($2): $(cat check.out)"
  fi
  rm -rf "$1"  # 5 M records are ~100 MB of output
}

# run_embedded ROUND: prints "JOB_S WALL_S CPU_S"
run_embedded() {
  local out="$work/out-embedded-$1" log="$work/embedded-$1.log"
  { time "$fjord" run "$spec" --task-managers 2 --slots 2 --no-progress --log-level info \
      "${job_sets[@]}" --set "out.output_dir=$out" > "$log" 2>&1; } 2> cpu.out ||
    fail "embedded run $1 failed: $(tail -3 "$log" | tr '\n' ' ')"
  verify "$out" "embedded run $1"
  local job_s wall_s
  job_s=$(grep -o "finished in [0-9.]* s" "$log" | head -1 | awk '{ print $3 }')
  wall_s=$(grep -o "FINISHED in [0-9.]* s" "$log" | head -1 | awk '{ print $3 }')
  [ -n "$job_s" ] && [ -n "$wall_s" ] || fail "no duration in $log"
  echo "$job_s $wall_s $(awk '{ printf "%.2f", $1 + $2 }' cpu.out)"
}

# run_on CONFIG JM_LOG NAME ROUND PID...: a `fjord submit` to the cluster of CONFIG whose
# processes are PID...; prints "JOB_S WALL_S CPU_S"
run_on() {
  local config=$1 jm_log=$2 name=$3 round=$4
  shift 4
  local out="$work/out-$name-$round" log="$work/submit-$name-$round.log" t0 t1 c0 c1 job job_s
  c0=$(cpu_ticks "$@")
  t0=$(date +%s%N)
  { time "$fjord" submit -c "$config" "$spec" --no-progress "${job_sets[@]}" \
      --set "out.output_dir=$out" > "$log" 2>&1; } 2> cpu.out ||
    fail "$name run $round failed: $(tail -3 "$log" | tr '\n' ' ')"
  t1=$(date +%s%N)
  c1=$(cpu_ticks "$@")
  verify "$out" "$name run $round"
  job=$(head -1 "$log")
  cluster_wait 1 "job ${job:0:8} finished in" "$jm_log" 50 ||
    fail "no duration of job $job in $jm_log"
  job_s=$(grep -o "job ${job:0:8} finished in [0-9.]* s" "$jm_log" | awk '{ print $5 }')
  echo "$job_s $(awk -v a="$t0" -v b="$t1" -v c0="$c0" -v c1="$c1" -v hz="$ticks_per_s" \
    -v client="$(awk '{ print $1 + $2 }' cpu.out)" \
    'BEGIN { printf "%.2f %.2f", (b - a) / 1e9, (c1 - c0) / hz + client }')"
}
run_cluster() {
  run_on fjord.yaml jm1.log cluster "$1" "$(cat jm1.pid)" "$(cat tm-1.pid)" "$(cat tm-2.pid)" \
    "$(cat zk/zookeeper.pid)"
}
run_cluster-1tm() {
  run_on fjord-1tm.yaml jm-1tm.log cluster-1tm "$1" "$jm_1tm_pid" "$tm_single_pid" \
    "$(cat zk/zookeeper.pid)"
}

cluster_start_zookeeper 10000 > /dev/null
# EXTRA_CONF: more configuration lines for both clusters' processes, e.g.
# EXTRA_CONF=$'taskmanager.network.credits: 16\ntaskmanager.network.batch-size: 2048'
if [ -n "${EXTRA_CONF:-}" ]; then
  printf '%s\n' "$EXTRA_CONF" >> fjord.yaml
fi
cluster_start_jobmanager jm1
cluster_start_taskmanager tm-1 2
cluster_start_taskmanager tm-2 2
# The second cluster: its own znodes and storage directory in the same ZooKeeper.
sed -e "s|^recovery.zookeeper.storageDir: .*|recovery.zookeeper.storageDir: $work/recovery-1tm|" \
  fjord.yaml > fjord-1tm.yaml
echo "recovery.zookeeper.path.cluster-id: one-taskmanager" >> fjord-1tm.yaml
"$fjord" jobmanager -c fjord-1tm.yaml > jm-1tm.log 2>&1 &
jm_1tm_pid=$!
cluster_pids+=($!)
"$fjord" taskmanager -c fjord-1tm.yaml --slots 4 --id tm-single > tm-single.log 2>&1 &
tm_single_pid=$!
cluster_pids+=($!)
for log in jm1.log jm-1tm.log; do
  cluster_wait 1 "leader elected" "$log" 300 || fail "no leader elected ($log)"
done
cluster_wait 2 "task manager .* registered" jm1.log 300 || fail "the task managers did not register"
cluster_wait 1 "task manager .* registered" jm-1tm.log 300 ||
  fail "the single task manager did not register"

echo "# Records/s, process cluster vs embedded, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "exactly_once_sum.json, $(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<< "$records") records," \
  "sources unthrottled, checkpoint every 100 ms; $rounds round(s), the order rotating."
if [ -n "${EXTRA_CONF:-}" ]; then
  echo
  echo "Cluster configuration added: $(tr '\n' ';' <<< "$EXTRA_CONF")"
fi
echo
variants=(embedded cluster cluster-1tm)
rows=()
for r in $(seq "$rounds"); do
  for i in 0 1 2; do
    variant=${variants[$(((i + r - 1) % 3))]}
    result=$("run_$variant" "$r")  # a failed run has said why; errexit ends the benchmark
    read -r job_s wall_s cpu_s <<< "$result"
    # durations come with 2 decimals
    awk -v j="$job_s" 'BEGIN { exit !(j > 0) }' ||
      fail "the $variant job took under 0.01 s; raise RECORDS"
    rows+=("$r $variant $job_s $wall_s $cpu_s")
    echo "round $r $variant: job $job_s s, wall $wall_s s, CPU $cpu_s s, output verified" >&2
  done
done

printf '%s\n' "${rows[@]}" | awk -v n="$records" '
  function commas(x,   s, out, l) { s = sprintf("%d", x + 0.5); out = ""; l = length(s);
    while (l > 3) { out = "," substr(s, l - 2, 3) out; l -= 3 } return substr(s, 1, l) out }
  function median(a, k,   i, j, t, b) { for (i = 1; i <= k; i++) b[i] = a[i];
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
    return k % 2 ? b[(k + 1) / 2] : (b[k / 2] + b[k / 2 + 1]) / 2 }
  { job[$2, $1] = $3; wall[$2, $1] = $4; cpu[$2, $1] = $5; rounds = $1 > rounds ? $1 : rounds }
  END {
    split("embedded cluster cluster-1tm", names, " ")
    title["embedded"] = "embedded (`fjord run`, 2 TaskManagers x 2 slots)"
    title["cluster"] = "process cluster (`fjord submit`, 2 TaskManager processes x 2 slots)"
    title["cluster-1tm"] = "process cluster, 1 TaskManager process x 4 slots"
    print "| round | embedded job s | cluster job s | cluster-1tm job s | cluster/embedded | embedded wall s | cluster wall s | cluster-1tm wall s |"
    print "|---|---|---|---|---|---|---|---|"
    for (r = 1; r <= rounds; r++) {
      for (v = 1; v <= 3; v++) { rate[names[v], r] = n / job[names[v], r]; wrate[names[v], r] = n / wall[names[v], r] }
      printf "| %d | %.2f | %.2f | %.2f | %.2fx | %.2f | %.2f | %.2f |\n", r, job["embedded", r],
        job["cluster", r], job["cluster-1tm", r], rate["cluster", r] / rate["embedded", r],
        wall["embedded", r], wall["cluster", r], wall["cluster-1tm", r]
    }
    print ""
    print "| variant | records/s (job duration), median | min .. max | vs embedded (medians) | per-round ratio, median | records/s (wall), median | CPU s per M records, median |"
    print "|---|---|---|---|---|---|---|"
    for (v = 1; v <= 3; v++) {
      name = names[v]
      for (r = 1; r <= rounds; r++) { x[r] = rate[name, r]; w[r] = wrate[name, r]; q[r] = rate[name, r] / rate["embedded", r]; c[r] = cpu[name, r] / (n / 1e6) }
      m[name] = median(x, rounds); mw[name] = median(w, rounds)
      lo = x[1]; hi = x[1]; for (r = 2; r <= rounds; r++) { if (x[r] < lo) lo = x[r]; if (x[r] > hi) hi = x[r] }
      printf "| %s | %s | %s .. %s | %.2fx | %.2fx | %s | %.2f |\n", title[name], commas(m[name]),
        commas(lo), commas(hi), m[name] / m["embedded"], median(q, rounds), commas(mw[name]),
        median(c, rounds)
    }
    print ""
    printf "cluster/embedded: %.2fx (ratio of the medians of the job durations), wall time %.2fx; " \
      "one TaskManager process instead of two: %.2fx of embedded\n",
      m["cluster"] / m["embedded"], mw["cluster"] / mw["embedded"], m["cluster-1tm"] / m["embedded"]
  }'
ok=1
