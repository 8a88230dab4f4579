#!/usr/bin/env bash
# Real processes: a TaskManager is SIGKILLed mid-job while a spare TaskManager is registered;
# the JobManager restarts the job on the remaining slots from the latest checkpoint and the
# output is exactly once.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

cluster_start_zookeeper 2000 > /dev/null
cluster_start_jobmanager jm1
for n in 1 2 3; do cluster_start_taskmanager "tm-$n" 2; done
cluster_wait 3 "registered (2 slots)" jm1.log || fail "task managers did not register"

"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.rate_per_subtask=50000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_wait 4 "checkpoint .* completed" jm1.log || fail "no checkpoints"
# Kill a TaskManager that runs tasks of the job (with 3 x 2 slots and 4 needed, tm-1 or tm-2 does).
victim=$(grep -l "task manager tm-[0-9] registered with" tm-*.log | head -1)
victim=$(basename "${victim%.log}")
cluster_kill "$victim"
echo "killed $victim"
rc=0
wait "$submit" || rc=$?
tail -4 submit.out
[ $rc -eq 0 ] || fail "the job did not finish (exit $rc)"
grep -q "lost" jm1.log || fail "the JobManager did not notice the lost task manager"
grep -q "restoring from checkpoint" jm1.log || fail "the job did not restore a checkpoint"
check_sum "$work/out"
