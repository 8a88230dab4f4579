#!/usr/bin/env bash
# Real processes, real ZooKeeper: a submission whose answer is lost. ZooKeeper is frozen
# (SIGSTOP) while `fjord submit --jobmanager` waits for the leader to persist the graph, so the
# client's request times out without knowing whether the graph was stored. The client must not
# report a failure for a job that will run (nor run it twice): it asks the leader for its job
# id once ZooKeeper is back, submits again under the same id only if the job is unknown, and
# follows the job to FINISHED. The output is exactly once.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
fail_logs="jm1.log submit.out"

cluster_start_zookeeper 4000 > /dev/null
cluster_start_jobmanager jm1
cluster_start_taskmanager tm-1 4
cluster_wait 1 "registered (4 slots)" jm1.log || fail "the task manager did not register"
address=$(grep -o "listening on [0-9.]*:[0-9]*" jm1.log | cut -d' ' -f3)

kill -STOP "$(cat zk/zookeeper.pid)"
"$fjord" submit -c fjord.yaml "$spec" --jobmanager "$address" --no-progress --follow-timeout 120 \
  --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_pids+=($submit)
cluster_wait 1 "unconfirmed" submit.out 100 || fail "the submission did not time out while ZooKeeper was frozen"
kill -CONT "$(cat zk/zookeeper.pid)"
rc=0
wait "$submit" || rc=$?
tail -3 submit.out
[ $rc -eq 0 ] || fail "fjord submit exited $rc for a job that ran"
job=$(grep -E "^[0-9a-f]{32}$" submit.out | head -1)
grep -q "^job $job (exactly-once sum): FINISHED" submit.out || fail "the client did not follow the job to FINISHED"
[ "$(grep -c "job ${job:0:8} .*finished in" jm1.log)" = 1 ] || fail "the job did not run to its end exactly once"
check_sum "$work/out"
