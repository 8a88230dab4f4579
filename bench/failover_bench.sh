#!/usr/bin/env bash
# Failover time: SIGKILL of the leading JobManager until the job runs again on the standby with
# restored state ("running (attempt ..., restored from checkpoint N)" in its log), over RUNS runs,
# against the configured ZooKeeper session timeout. Real processes, a real ZooKeeper.
#   bench/failover_bench.sh [BUILD_DIR] [RUNS] [SESSION_TIMEOUT_MS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
runs=${2:-10}
timeout_ms=${3:-2000}
fjord="$root/$build/fjord"
spec="$root/examples/jobs/exactly_once_sum.json"
results=()
for run in $(seq "$runs"); do
  work=$(mktemp -d)
  (
    cd "$work"
    source "$root/scripts/cluster_lib.sh"
    trap 'cluster_cleanup' EXIT
    cluster_start_zookeeper "$timeout_ms" > /dev/null
    cluster_start_jobmanager jm1
    cluster_start_jobmanager jm2
    cluster_start_taskmanager tm-1 2
    cluster_start_taskmanager tm-2 2
    for _ in $(seq 100); do [ -n "$(cluster_leader)" ] && break; sleep 0.1; done
    first=$(basename "$(cluster_leader)")
    "$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
      --set numbers.rate_per_subtask=20000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
    cluster_pids+=($!)
    cluster_wait 3 "checkpoint .* completed" "$first" 200
    killed=$(date +%H:%M:%S.%N)
    cluster_kill "${first%.log}"
    second=$([ "$first" = jm1.log ] && echo jm2.log || echo jm1.log)
    cluster_wait 1 "restored from checkpoint" "$second" 300
    cluster_seconds_since "$killed" "restored from checkpoint" "$second" > "$work/failover"
  ) > /dev/null 2>&1 || true
  if [ -s "$work/failover" ]; then
    results+=("$(cat "$work/failover")")
    echo "run $run: $(cat "$work/failover") s"
  else
    echo "run $run: no failover measured"
  fi
  rm -rf "$work"
done
printf '%s\n' "${results[@]}" | sort -n > /tmp/fjord-failover.$$
n=$(wc -l < /tmp/fjord-failover.$$)
median=$(awk -v n="$n" 'NR == int((n + 1) / 2) { print }' /tmp/fjord-failover.$$)
max=$(tail -1 /tmp/fjord-failover.$$)
rm -f /tmp/fjord-failover.$$
echo
echo "| session timeout | runs measured | median s | max s | goal (timeout + 0.5 s) |"
echo "|---|---|---|---|---|"
echo "| ${timeout_ms} ms | $n of $runs | $median | $max | $(awk -v t="$timeout_ms" 'BEGIN { printf "%.1f", t / 1000 + 0.5 }') s |"
