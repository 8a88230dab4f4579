#!/usr/bin/env bash
# What mutual TLS costs (issue 13): records/s and CPU of the exactly-once example on two process
# clusters side by side in one ZooKeeper, identical but for security.ssl.*:
#   plain: 1 JobManager + 2 TaskManager processes x 2 slots, plain TCP;
#   tls:   the same with mutual TLS (a certificate per process, scripts/make-certs.sh), so the
#          client, JobManager and TaskManager-to-TaskManager links are all encrypted.
# RECORDS numbers, unthrottled sources, checkpoint every 100 ms; ROUNDS rounds, the order of the
# two alternating. Every run's output is checked exactly once. Figures: the job's own duration
# ("job ... finished in S s" of its JobManager's log) and user + system CPU seconds of the
# cluster's processes (JobManager, TaskManagers) during the run.
#
#   bench/tls_overhead_bench.sh [BUILD_DIR] [ROUNDS] [RECORDS]   (default: build 5 5000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die_usage() { echo "tls_overhead_bench.sh: $*" >&2; exit 2; }
[ $# -le 3 ] || die_usage "too many arguments (usage: [BUILD_DIR] [ROUNDS] [RECORDS])"
build=${1:-build}
rounds=${2:-5}
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

work=$(mktemp -d /tmp/fjord-tls-bench.XXXXXX)
cd "$work"
source "$root/scripts/cluster_lib.sh"
ok=0
trap '[ "$ok" = 1 ] || echo "(files kept in $work)" >&2; cluster_cleanup; [ "$ok" = 0 ] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
fail() { echo "tls_overhead_bench.sh: $*" >&2; exit 1; }
ticks_per_s=$(getconf CLK_TCK)
cpu_ticks() {
  local p total=0
  for p in "$@"; do total=$((total + $(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }'))); done
  echo "$total"
}

cluster_start_zookeeper 10000 > /dev/null
"$root/scripts/make-certs.sh" "$work/pki" jm tm-1 tm-2 client > /dev/null
# start VARIANT: a JobManager and two TaskManagers under their own cluster id
start() {
  local v=$1
  sed -e "s|^recovery.zookeeper.storageDir: .*|recovery.zookeeper.storageDir: $work/recovery-$v|" \
    fjord.yaml > "$v.yaml"
  echo "recovery.zookeeper.path.cluster-id: $v" >> "$v.yaml"
  local tls=()
  if [ "$v" = tls ]; then
    printf '%s\n' "security.ssl.enabled: true" "security.ssl.cafile: $work/pki/ca.pem" \
      "security.ssl.certificate: $work/pki/client.pem" "security.ssl.key: $work/pki/client.key" >> "$v.yaml"
  fi
  for n in jm tm-1 tm-2; do
    [ "$v" = tls ] && tls=(-D "security.ssl.certificate=$work/pki/$n.pem" -D "security.ssl.key=$work/pki/$n.key")
    if [ "$n" = jm ]; then
      "$fjord" jobmanager -c "$v.yaml" "${tls[@]}" > "$v-$n.log" 2>&1 &
    else
      "$fjord" taskmanager -c "$v.yaml" "${tls[@]}" --slots 2 --id "$v-$n" > "$v-$n.log" 2>&1 &
    fi
    cluster_pids+=($!); echo $! > "$v-$n.pid"
  done
  cluster_wait 2 "task manager .* registered" "$v-jm.log" 300 || fail "$v: task managers did not register"
}
start plain
start tls
grep -q "mutual TLS" tls-jm.log || fail "the tls cluster does not run TLS"
grep -q "plain TCP" plain-jm.log || fail "the plain cluster runs TLS"

# run VARIANT ROUND: prints "JOB_S CPU_S"
run() {
  local v=$1 r=$2 out="$work/out-$1-$2" log="$work/submit-$1-$2.log" pids c0 c1 job job_s
  pids=("$(cat "$v-jm.pid")" "$(cat "$v-tm-1.pid")" "$(cat "$v-tm-2.pid")")
  c0=$(cpu_ticks "${pids[@]}")
  "$fjord" submit -c "$v.yaml" "$spec" --no-progress "${job_sets[@]}" --set "out.output_dir=$out" \
    > "$log" 2>&1 || fail "$v run $r failed: $(tail -3 "$log" | tr '\n' ' ')"
  c1=$(cpu_ticks "${pids[@]}")
  "$checker" --spec "$spec" "${job_sets[@]}" --set "out.output_dir=$out" > check.out 2>&1 ||
    fail "WRONG OUTPUT ($v run $r): $(cat check.out)"
  rm -rf "$out"
  job=$(head -1 "$log")
  cluster_wait 1 "job ${job:0:8} finished in" "$v-jm.log" 50 || fail "no duration of job $job"
  job_s=$(grep -o "job ${job:0:8} finished in [0-9.]* s" "$v-jm.log" | awk '{ print $5 }')
  echo "$job_s $(awk -v a="$c0" -v b="$c1" -v hz="$ticks_per_s" 'BEGIN { printf "%.2f", (b - a) / hz }')"
}

echo "# Mutual TLS vs plain TCP, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "exactly_once_sum.json, $records records, sources unthrottled, checkpoint every 100 ms;" \
  "2 TaskManager processes x 2 slots; $rounds round(s), the order alternating."
echo
rows=()
for r in $(seq "$rounds"); do
  order=(plain tls); [ $((r % 2)) -eq 0 ] && order=(tls plain)
  for v in "${order[@]}"; do
    read -r job_s cpu_s <<< "$(run "$v" "$r")"
    rows+=("$r $v $job_s $cpu_s")
    echo "round $r $v: job $job_s s, CPU $cpu_s s, output verified" >&2
  done
done
printf '%s\n' "${rows[@]}" | awk -v n="$records" '
  function median(a, k,   i, j, t, b) { for (i = 1; i <= k; i++) b[i] = a[i];
    for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
    return k % 2 ? b[(k + 1) / 2] : (b[k / 2] + b[k / 2 + 1]) / 2 }
  { job[$2, $1] = $3; cpu[$2, $1] = $4; rounds = $1 > rounds ? $1 : rounds }
  END {
    print "| round | plain job s | tls job s | tls/plain records/s | plain CPU s | tls CPU s |"
    print "|---|---|---|---|---|---|"
    for (r = 1; r <= rounds; r++) {
      q[r] = job["plain", r] / job["tls", r]; pr[r] = n / job["plain", r]; tr[r] = n / job["tls", r]
      pc[r] = cpu["plain", r]; tc[r] = cpu["tls", r]
      printf "| %d | %.2f | %.2f | %.2fx | %.2f | %.2f |\n", r, job["plain", r], job["tls", r], q[r], pc[r], tc[r]
    }
    printf "\nmedian records/s: plain %d, tls %d; per-round tls/plain ratio, median: %.2fx; CPU s per M records, median: plain %.2f, tls %.2f\n",
      median(pr, rounds), median(tr, rounds), median(q, rounds), median(pc, rounds) / (n / 1e6), median(tc, rounds) / (n / 1e6)
  }'
ok=1
