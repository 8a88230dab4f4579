#!/usr/bin/env bash
# `make cluster-demo`: a throwaway ZooKeeper, 2 JobManagers, 2 TaskManagers and the exactly-once
# example job; the leading JobManager is SIGKILLed mid-run, the standby takes over and restores
# the job from its latest checkpoint, and the committed output is verified. Every process talks
# mutual TLS with its own certificate from a throwaway CA (FJORD_DEMO_TLS=0: plain TCP).
# Also the process test tests/integration/ha_failover_test.sh (it sets FJORD_DEMO_QUIET=1).
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
fjord="$root/$build/fjord"
checker="$root/$build/check_exactly_once_sum"
spec="$root/examples/jobs/exactly_once_sum.json"
work=${FJORD_DEMO_DIR:-$root/$build/cluster-demo}
say() { [ -n "${FJORD_DEMO_QUIET:-}" ] || echo "$@"; }

rm -rf "$work"
mkdir -p "$work"
cd "$work"
source "$root/scripts/cluster_lib.sh"
trap cluster_cleanup EXIT

port=$(cluster_start_zookeeper "${FJORD_SESSION_TIMEOUT_MS:-2000}")
say "== ZooKeeper on 127.0.0.1:$port"
if [ "${FJORD_DEMO_TLS:-1}" != 0 ]; then
  cluster_enable_tls jm1 jm2 tm-1 tm-2
  say "== mutual TLS: a CA and a certificate per process in $work/pki (scripts/make-certs.sh)"
fi
cluster_start_jobmanager jm1
cluster_start_jobmanager jm2
cluster_start_taskmanager tm-1 2
cluster_start_taskmanager tm-2 2
say "== 2 JobManagers and 2 TaskManagers started (logs in $work)"
for _ in $(seq 100); do [ -n "$(cluster_leader)" ] && break; sleep 0.1; done
first=$(basename "$(cluster_leader)")
[ -n "$first" ] || { echo "no JobManager became leader"; exit 1; }
say "== leader: ${first%.log}"

say "== fjord submit examples/jobs/exactly_once_sum.json (sources at 50,000 records/s each)"
"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.rate_per_subtask=50000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_pids+=($submit)
# Kill the leader without warning once it completed a few checkpoints.
cluster_wait 5 "checkpoint .* completed" "$first" 200 || true
killed_at=$(date +%H:%M:%S.%N)
cluster_kill "${first%.log}"
say "== SIGKILL ${first%.log} after $(grep -c 'checkpoint .* completed' "$first") checkpoints"

rc=0
wait "$submit" || rc=$?
second=$([ "$first" = jm1.log ] && echo jm2.log || echo jm1.log)
restored=$(grep -o "restoring from checkpoint [0-9]*" "$second" | head -1 || true)
took=$(cluster_seconds_since "$killed_at" "restored from checkpoint" "$second" || true)
say "== the standby ${second%.log}: ${restored:-did not restore}${took:+, running again $took s after the SIGKILL}"
[ -n "${FJORD_DEMO_QUIET:-}" ] || tail -4 submit.out
if [ $rc -ne 0 ]; then
  echo "the job did not finish (fjord submit exit $rc)"; tail -5 submit.out; exit 1
fi
if [ -z "$restored" ] || [ "${restored##* }" -lt 1 ]; then
  echo "the standby did not restore from a checkpoint"; exit 1
fi
say "== check_exactly_once_sum"
"$checker" --spec "$spec" --set "out.output_dir=$work/out"
