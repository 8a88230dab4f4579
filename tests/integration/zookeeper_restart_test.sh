#!/usr/bin/env bash
# Real processes: ZooKeeper is stopped and started again (same data) while a checkpointed job
# runs. The JobManager loses and regains leadership, recovers the job from its latest
# checkpoint, and the output is exactly once.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

cluster_start_zookeeper 4000 > /dev/null
cluster_start_jobmanager jm1
cluster_start_taskmanager tm-1 2
cluster_start_taskmanager tm-2 2
cluster_wait 2 "registered (2 slots)" jm1.log || fail "task managers did not register"
"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.rate_per_subtask=25000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_wait 4 "checkpoint .* completed" jm1.log || fail "no checkpoints"
"$root/scripts/zookeeper.sh" stop "$work/zk" > /dev/null
sleep 1
"$root/scripts/zookeeper.sh" start "$work/zk" > /dev/null
echo "ZooKeeper restarted"
rc=0
wait "$submit" || rc=$?
tail -4 submit.out
[ $rc -eq 0 ] || fail "the job did not finish (exit $rc)"
check_sum "$work/out"
