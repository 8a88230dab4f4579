#!/usr/bin/env bash
# Real processes: a TaskManager that runs tasks of a checkpointed job is frozen with SIGSTOP (a
# hung peer: its TCP connection stays open, so only the middleman heartbeat can notice). The
# JobManager must declare it lost and restart the job from the latest checkpoint on the spare;
# the frozen TaskManager is then thawed while the job still runs — its old tasks must not
# disturb the new attempt — and it registers again. The output is exactly once.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

cluster_start_zookeeper 2000 > /dev/null
cluster_start_jobmanager jm1
for n in 1 2 3; do cluster_start_taskmanager "tm-$n" 2; done
cluster_wait 3 "registered (2 slots)" jm1.log || fail "task managers did not register"

# 4 sources x 25,000 records/s: about 10 s of input.
"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.rate_per_subtask=25000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_pids+=($submit)
cluster_wait 4 "checkpoint .* completed" jm1.log || fail "no checkpoints"
# Slots are spread over the TaskManagers in id order: tm-1 runs tasks of the job.
victim=tm-1
cluster_freeze "$victim"
frozen_at=$(date +%s%N)
cluster_wait 1 "task manager $victim lost" jm1.log 150 ||
  fail "the JobManager did not notice the frozen $victim within 15 s"
echo "frozen $victim declared lost after $(( ($(date +%s%N) - frozen_at) / 1000000 )) ms"
cluster_wait 1 "restored from checkpoint" jm1.log 300 ||
  fail "the job was not restarted from a checkpoint"
cluster_thaw "$victim"
# Thawed, it finds its connection gone, cancels its stale tasks and registers again.
cluster_wait 2 "task manager $victim registered (2 slots)" jm1.log 300 ||
  fail "the thawed $victim did not register again"
rc=0
wait "$submit" || rc=$?
tail -3 submit.out
[ $rc -eq 0 ] || fail "the job did not finish (fjord submit exit $rc)"
grep -q "job manager gone" "$victim.log" || fail "$victim did not notice its lost connection"
check_sum "$work/out"
