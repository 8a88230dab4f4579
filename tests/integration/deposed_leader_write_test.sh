#!/usr/bin/env bash
# A deposed leader's checkpoint write never lands (issue 9, defect 5). Real ZooKeeper, real
# processes: the leader's 5th checkpoint write is held by a failpoint (delay), the leader is
# frozen (SIGSTOP) while it waits, its ZooKeeper sessions expire and the standby takes over and
# checkpoints the job. Then the old leader is thawed: its held write goes on, on a store session
# that the reconnecting client renews, and must be dropped, because the leader's latch node is
# gone (the write's transaction checks it) or the election already said so. The job finishes
# exactly once under the new leader, and nothing of it is left.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

port=$(cluster_start_zookeeper 1500)
FJORD_FAILPOINTS="checkpoint.add.before=delay(5000)@5" FJORD_FAILPOINTS_LOG=$work/failpoints.log \
  "$fjord" jobmanager -c fjord.yaml > jm-old.log 2>&1 &
cluster_pids+=($!); echo $! > jm-old.pid
cluster_wait 1 "leader elected" jm-old.log 100 || fail "the first JobManager was not elected"
cluster_start_jobmanager jm-new
cluster_start_taskmanager tm-1 4
cluster_start_taskmanager tm-2 4
cluster_wait 1 "registered" tm-2.log 100 || fail "tm-2 did not register"

"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.to=60000 --set numbers.rate_per_subtask=2500 \
  --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!

cluster_wait 1 "failpoint checkpoint.add.before fired" failpoints.log 200 \
  || fail "the leader's checkpoint write was never held"
cluster_freeze jm-old
echo "ok - the leader is frozen while its checkpoint write is held"
cluster_wait 1 "leader elected" jm-new.log 200 || fail "the standby was not elected"
cluster_wait 2 "checkpoint .* completed" jm-new.log 300 || fail "the new leader did not checkpoint"
cluster_thaw jm-old
echo "ok - the new leader checkpoints the job; the old leader is thawed"

# The held write must be dropped, by either fence: the transaction's check of the latch node
# or the election's answer on the worker thread.
cluster_wait 1 "leadership it was written under is gone\|dropped: this JobManager no longer leads" \
  jm-old.log 150 || fail "the deposed leader's held checkpoint write was not dropped"
echo "ok - the deposed leader's checkpoint write was dropped: $(grep -o "not created: the leadership.*gone\|dropped: this JobManager no longer leads" jm-old.log | head -1)"

rc=0
wait $submit || rc=$?
[ $rc -eq 0 ] && grep -q FINISHED submit.out || fail "the job did not finish: rc=$rc $(tail -3 submit.out)"
verdict=$(check_sum "$work/out" --set numbers.to=60000) || fail "output not exactly once: $verdict"
echo "ok - the job finished under the new leader, exactly once ($verdict)"

# Nothing of the job is left: the old leader's dropped write left no file either.
for _ in $(seq 100); do
  left=$(find "$work/recovery" -type f | wc -l)
  [ "$left" -eq 0 ] && break
  sleep 0.1
done
[ "$left" -eq 0 ] || fail "$left file(s) left in the storage directory: $(ls "$work/recovery")"
echo "ok - no HA file left"
