#!/usr/bin/env bash
# Real processes, real ZooKeeper: the leading JobManager is frozen with SIGSTOP mid-job (a hung
# leader — the zombie-leader case fencing exists for). Its ZooKeeper session expires, the
# standby is elected and restores the job from a checkpoint, and the TaskManagers leave the
# frozen leader (heartbeat timeout) for the new one. Then the old leader is thawed while the
# job still runs: it must step down (leadership revoked), stay alive as a standby, and not run
# the job again. The output is exactly once.
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
cluster_freeze jm1
frozen_at=$(date +%s%N)
cluster_wait 1 "leader elected" jm2.log 200 || fail "the standby was not elected within 20 s"
echo "standby elected $(( ($(date +%s%N) - frozen_at) / 1000000 )) ms after the leader froze"
cluster_wait 1 "restored from checkpoint" jm2.log 300 || fail "jm2 did not restore the job"
runs_before=$(grep -c "running (attempt" jm1.log || true)
cluster_thaw jm1
cluster_wait 1 "leadership revoked" jm1.log 200 || fail "the thawed leader did not step down"
rc=0
wait "$submit" || rc=$?
tail -3 submit.out
[ $rc -eq 0 ] || fail "the job did not finish (fjord submit exit $rc)"
cluster_alive jm1 || fail "the thawed JobManager exited instead of staying a standby"
[ "$(grep -c "running (attempt" jm1.log || true)" = "$runs_before" ] ||
  fail "the thawed JobManager ran the job again"
for tm in tm-1 tm-2; do
  grep -q "registered with the leader (session $(grep -o 'leader elected (session [^)]*' jm2.log |
    head -1 | cut -d' ' -f4))" $tm.log || fail "$tm did not follow the new leader"
done
check_sum "$work/out"
