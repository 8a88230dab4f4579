#!/usr/bin/env bash
# `make cluster-demo`: a throwaway ZooKeeper, 2 JobManagers, 2 TaskManagers and the exactly-once
# example job; the leading JobManager is SIGKILLed mid-run, the standby takes over and restores
# the job from its latest checkpoint, and the committed output is verified.
# Also the process test tests/integration/ha_failover_test.sh (it sets FJORD_DEMO_QUIET=1).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
fjord="$root/$build/fjord"
checker="$root/$build/check_exactly_once_sum"
spec="$root/examples/jobs/exactly_once_sum.json"
work=${FJORD_DEMO_DIR:-$root/$build/cluster-demo}
session_timeout=${FJORD_SESSION_TIMEOUT_MS:-2000}
say() { [ -n "${FJORD_DEMO_QUIET:-}" ] || echo "$@"; }

rm -rf "$work"
mkdir -p "$work"
cd "$work"
pids=()
cleanup() {
  exec 2>/dev/null  # no "Killed" notices from the shell
  for p in "${pids[@]}"; do kill -9 "$p" || true; wait "$p" || true; done
  "$root/scripts/zookeeper.sh" stop "$work/zk" >/dev/null 2>&1 || true
}
trap cleanup EXIT

port=$("$root/scripts/zookeeper.sh" start "$work/zk" | tail -1)
say "== ZooKeeper on 127.0.0.1:$port"
cat > fjord.yaml <<CONF
recovery.mode: zookeeper
recovery.zookeeper.quorum: 127.0.0.1:$port
recovery.zookeeper.storageDir: $work/recovery
recovery.zookeeper.client.session-timeout: $session_timeout
CONF

for n in 1 2; do
  "$fjord" jobmanager -c fjord.yaml > "jm$n.log" 2>&1 &
  pids+=($!); echo $! > "jm$n.pid"
done
for n in 1 2; do
  "$fjord" taskmanager -c fjord.yaml --slots 2 --id "tm-$n" > "tm$n.log" 2>&1 &
  pids+=($!)
done
say "== 2 JobManagers and 2 TaskManagers started (logs in $work)"

leader_log() { grep -l "leader elected" jm1.log jm2.log 2>/dev/null | head -1; }
for _ in $(seq 100); do [ -n "$(leader_log)" ] && break; sleep 0.1; done
first=$(leader_log)
[ -n "$first" ] || { echo "no JobManager became leader"; exit 1; }
say "== leader: ${first%.log}"

say "== fjord submit examples/jobs/exactly_once_sum.json (sources at 50,000 records/s each)"
"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.rate_per_subtask=50000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
pids+=($submit)
# Wait until the leader completed a few checkpoints, then kill it without warning.
for _ in $(seq 200); do
  [ "$(grep -c 'checkpoint .* completed' "$first")" -ge 5 ] && break
  sleep 0.05
done
kill -9 "$(cat "${first%.log}.pid")"
wait "$(cat "${first%.log}.pid")" 2>/dev/null || true
say "== SIGKILL ${first%.log} after $(grep -c 'checkpoint .* completed' "$first") checkpoints"

rc=0
wait "$submit" || rc=$?
second=$( [ "$first" = jm1.log ] && echo jm2.log || echo jm1.log )
restored=$(grep -o "restoring from checkpoint [0-9]*" "$second" | head -1 || true)
say "== the standby ${second%.log}: ${restored:-did not restore}"
[ -n "${FJORD_DEMO_QUIET:-}" ] || tail -4 submit.out
if [ $rc -ne 0 ]; then
  echo "the job did not finish (fjord submit exit $rc)"; tail -5 submit.out; exit 1
fi
if [ -z "$restored" ] || [ "${restored##* }" -lt 1 ]; then
  echo "the standby did not restore from a checkpoint"; exit 1
fi
say "== check_exactly_once_sum"
"$checker" --spec "$spec" --set "out.output_dir=$work/out"
