#!/usr/bin/env bash
# Real processes: every JobManager and the ZooKeeper server are SIGKILLed at once while a
# checkpointed job runs (a whole control plane lost; the TaskManagers and the following client
# survive). ZooKeeper comes back on its data directory and a brand-new JobManager is started: it
# must recover the job from ZooKeeper and the storage directory, restore it from a checkpoint,
# and finish it exactly once; the client that was following the job must see it FINISHED.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

cluster_start_zookeeper 2000 > /dev/null
cluster_start_jobmanager jm1
cluster_wait 1 "leader elected" jm1.log || fail "jm1 was not elected"
cluster_start_jobmanager jm2
cluster_start_taskmanager tm-1 2
cluster_start_taskmanager tm-2 2
cluster_wait 2 "registered (2 slots)" jm1.log || fail "task managers did not register"

# 4 sources x 25,000 records/s: about 10 s of input.
"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.rate_per_subtask=25000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_pids+=($submit)
cluster_wait 4 "checkpoint .* completed" jm1.log || fail "no checkpoints"
kill -9 "$(cat jm1.pid)" "$(cat jm2.pid)" "$(cat zk/zookeeper.pid)"
wait "$(cat jm1.pid)" "$(cat jm2.pid)" 2>/dev/null || true
sleep 2
"$root/scripts/zookeeper.sh" start zk > /dev/null  # same data directory, same port
cluster_start_jobmanager jm3
cluster_wait 1 "restored from checkpoint" jm3.log 300 ||
  fail "the new JobManager did not restore the job from a checkpoint"
rc=0
wait "$submit" || rc=$?
tail -3 submit.out
[ $rc -eq 0 ] || fail "the job did not finish (fjord submit exit $rc)"
cluster_wait 1 "job graph .* removed" jm3.log 100 || fail "the finished job's graph was not removed"
check_sum "$work/out"
