#!/usr/bin/env bash
# Real processes, real ZooKeeper, real middleman connections: after a failover, requests under
# the deposed leader's session — status, list, cancel, failure injection, submit and a
# TaskManager registration (tests/tools/fencing_probe) — are refused by the new leader and by
# the standby, and change nothing: the running job is neither cancelled nor restarted and
# finishes exactly once. (Each direction is also tested per actor in
# tests/actors/fencing_test.cpp.)
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
probe=$FJORD_BUILD_DIR/fencing_probe
session_of() { grep -o 'leader elected (session [^)]*' "$1" | tail -1 | cut -d' ' -f4; }
address_of() { grep -o 'listening on [0-9.]*:[0-9]*' "$1" | head -1 | cut -d' ' -f3; }

cluster_start_zookeeper 1500 > /dev/null
cluster_start_jobmanager jm1
cluster_wait 1 "leader elected" jm1.log || fail "jm1 was not elected"
cluster_start_jobmanager jm2
cluster_start_jobmanager jm3
cluster_start_taskmanager tm-1 2
cluster_start_taskmanager tm-2 2
cluster_wait 2 "registered (2 slots)" jm1.log || fail "task managers did not register"
old_session=$(session_of jm1.log)
cluster_kill jm1
leader=""
for _ in $(seq 200); do
  leader=$(grep -l "leader elected" jm2.log jm3.log 2>/dev/null | head -1 || true)
  [ -n "$leader" ] && break; sleep 0.1
done
[ -n "$leader" ] || fail "no standby was elected"
standby=$([ "$leader" = jm2.log ] && echo jm3.log || echo jm2.log)
cluster_wait 2 "registered (2 slots)" "$leader" || fail "task managers did not follow the new leader"

# 4 sources x 25,000 records/s: about 10 s of input; the probes run meanwhile. Submitted from
# another directory with a relative output dir: it must mean client/out, as for `fjord run`,
# not out/ in the TaskManagers' working directory.
mkdir client
(cd client && exec "$fjord" submit -c ../fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.rate_per_subtask=25000 --set "out.output_dir=out") > submit.out 2>&1 &
submit=$!
cluster_pids+=($submit)
cluster_wait 2 "checkpoint .* completed" "$leader" || fail "no checkpoints"
job=$(head -1 submit.out)
[[ "$job" =~ ^[0-9a-f]{32}$ ]] || fail "fjord submit printed no job id: '$job'"
for target in "$leader" "$standby"; do
  echo "== requests under the old session $old_session to ${target%.log}"
  "$probe" "$(address_of "$target")" "$old_session" "$job" ||
    fail "${target%.log} accepted a request under the old session"
done
rc=0
wait "$submit" || rc=$?
tail -3 submit.out
[ $rc -eq 0 ] || fail "the job did not finish (fjord submit exit $rc)"
grep -q "restarts 0," submit.out || fail "the job was restarted"
grep -q "fencing-probe registered" "$leader" "$standby" && fail "the probe's registration took effect"
check_sum "$work/client/out"
[ ! -e "$work/out" ] || fail "output was written relative to the TaskManagers' directory"
