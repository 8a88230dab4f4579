#!/usr/bin/env bash
# JobManager status-request latency while ZooKeeper is frozen (issue 4). Per session timeout: a
# throwaway ZooKeeper, one JobManager and two TaskManagers as real processes, the exactly-once
# example job submitted detached (rate-limited, so it runs throughout); then
# build/cluster_status_probe sends request_job_status to the JobManager every INTERVAL_US for
# PROBE_S seconds while this script SIGSTOPs the ZooKeeper server FREEZE_S seconds in for
# FREEZE_S seconds, then SIGCONTs it. The probe prints p50/p99/max and the outcomes (answers,
# "not the leader", fenced) before, during and after the freeze; the script then shows the
# JobManager's leadership log, lets the job finish and checks its output exactly once (a wrong
# result fails the benchmark).
#
#   bench/zk_freeze_status_bench.sh [BUILD_DIR] [SESSION_TIMEOUT_MS ...]   (default: build 4000)
#   environment: FREEZE_S (5), PROBE_S (15), INTERVAL_US (2000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die_usage() { echo "zk_freeze_status_bench.sh: $*" >&2; exit 2; }

build=build
timeouts=()
for arg in "$@"; do
  if [[ "$arg" =~ ^[0-9]+$ ]]; then
    [ "$arg" -ge 200 ] && [ "$arg" -le 60000 ] ||
      die_usage "session timeout must be 200..60000 ms, got $arg"
    timeouts+=("$arg")
  elif [ "${#timeouts[@]}" -eq 0 ] && [ "$build" = build ] && [[ "$arg" != -* ]]; then
    build=$arg
  else
    die_usage "unexpected argument '$arg' (usage: [BUILD_DIR] [SESSION_TIMEOUT_MS ...])"
  fi
done
[ "${#timeouts[@]}" -gt 0 ] || timeouts=(4000)
freeze_s=${FREEZE_S:-5}
probe_s=${PROBE_S:-15}
interval_us=${INTERVAL_US:-2000}
for v in freeze_s probe_s interval_us; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die_usage "${v^^} must be a whole number, got '${!v}'"
done
[ "$probe_s" -ge $((2 * freeze_s + 2)) ] ||
  die_usage "PROBE_S ($probe_s) must be at least 2 * FREEZE_S + 2"
case "$build" in /*) ;; *) build="$root/$build" ;; esac
fjord="$build/fjord"
probe="$build/cluster_status_probe"
checker="$build/check_exactly_once_sum"
for exe in "$fjord" "$probe" "$checker"; do
  [ -x "$exe" ] || die_usage "$exe not found; build it first (cmake --build $build --target" \
    "fjord cluster_status_probe check_exactly_once_sum)"
done
spec="$root/examples/jobs/exactly_once_sum.json"
# 4 sources x 10,000 records/s: 25 s of input, longer than the probe plus the start-up.
job_sets=(--set numbers.to=1000000 --set numbers.rate_per_subtask=10000)

# One measurement with a fresh cluster; prints the report, returns non-zero on any failure.
measure() {
  local timeout_ms=$1
  work=$(mktemp -d /tmp/fjord-zkfreeze.XXXXXX)
  cd "$work"
  source "$root/scripts/cluster_lib.sh"
  ok=0  # read by the EXIT trap, after the function returned
  trap 'cluster_cleanup; [ "$ok" = 1 ] && rm -rf "$work" || echo "(files kept in $work)"' EXIT
  trap 'exit 130' INT TERM
  cluster_start_zookeeper "$timeout_ms" > /dev/null
  cluster_start_jobmanager jm1
  cluster_start_taskmanager tm-1 2
  cluster_start_taskmanager tm-2 2
  cluster_wait 1 "leader elected" jm1.log 300 || { echo "no leader elected"; return 1; }
  cluster_wait 2 "task manager .* registered" jm1.log 300 ||
    { echo "the task managers did not register"; return 1; }
  local address job
  address=$(grep -m1 -o "job manager listening on [^ ]*" jm1.log | awk '{ print $5 }')
  job=$("$fjord" submit -c fjord.yaml "$spec" --detached "${job_sets[@]}" \
          --set "out.output_dir=$work/out" 2> submit.err | tail -1)
  [ -n "$job" ] || { echo "submission failed: $(cat submit.err)"; return 1; }
  cluster_wait 3 "checkpoint .* completed" jm1.log 300 ||
    { echo "no checkpoints completed"; return 1; }

  "$probe" --jobmanager "$address" --job "$job" --freeze-file "$work/freeze" \
    --seconds "$probe_s" --interval-us "$interval_us" > probe.out 2> probe.err &
  local probe_pid=$!
  cluster_pids+=("$probe_pid")
  local zk_pid
  zk_pid=$(cat "$work/zk/zookeeper.pid")
  sleep "$freeze_s"
  # The recorded window lies inside the real one: after the stop, before the continue.
  kill -STOP "$zk_pid"
  echo "stop $(date +%s%N)" >> "$work/freeze"
  sleep "$freeze_s"
  echo "cont $(date +%s%N)" >> "$work/freeze"
  kill -CONT "$zk_pid"
  if ! wait "$probe_pid"; then
    echo "the probe failed: $(cat probe.err)"
    return 1
  fi
  cat probe.out
  echo
  local stop_clock
  stop_clock=$(date -d "@$(awk '/^stop/ { printf "%.3f", $2 / 1e9 }' freeze)" +%H:%M:%S.%3N)
  echo "JobManager log (ZooKeeper stopped at $stop_clock):"
  echo
  echo '```'
  grep -E "leader elected|leadership revoked|suspended|running \(attempt|ZooKeeper|connection|session" \
    jm1.log | cut -c1-160 || true
  echo '```'
  echo

  local state="" deadline=$((SECONDS + 120))
  while [ $SECONDS -lt $deadline ]; do
    state=$("$fjord" status -c fjord.yaml "$job" --timeout 5 2> /dev/null |
              awk 'NR == 1 { print $NF }') || true
    case "$state" in FINISHED|FAILED|CANCELED) break ;; esac
    sleep 0.2
  done
  if [ "$state" != FINISHED ]; then
    echo "the job did not finish: ${state:-no status}"
    return 1
  fi
  if ! "$checker" --spec "$spec" "${job_sets[@]}" --set "out.output_dir=$work/out" > check.out 2>&1
  then
    echo "WRONG OUTPUT after the freeze: $(cat check.out)"
    return 1
  fi
  echo "Job FINISHED after the freeze; $(cat check.out)"
  ok=1
}

echo "# JobManager status latency while ZooKeeper is stopped, $(date -u '+%Y-%m-%d %H:%M UTC')," \
  "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
failed=()
for timeout_ms in "${timeouts[@]}"; do
  echo
  echo "## Session timeout $timeout_ms ms, ZooKeeper SIGSTOPped for $freeze_s s"
  echo
  # Not in a condition, so that errexit stays on inside the measurement.
  set +e
  ( set -e; measure "$timeout_ms" )
  rc=$?
  set -e
  if [ "$rc" != 0 ]; then
    failed+=("$timeout_ms")
    echo "(the run with session timeout $timeout_ms ms FAILED)"
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "zk_freeze_status_bench.sh: failed with session timeout(s): ${failed[*]} ms" >&2
  exit 1
fi
