#!/usr/bin/env bash
# Real processes, real ZooKeeper: a FINISHED job leaves no job data in ZooKeeper or the storage
# directory and is not run again after a failover, and the new leader reports it (status, list)
# from its recorded result; an orderly JobManager stop (SIGTERM) keeps the HA data of a running
# job, and the next JobManager recovers it; a cancelled job and a job that failed for good leave
# no job data either.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

port=$(cluster_start_zookeeper 2000)

cluster_start_jobmanager jm1
cluster_start_jobmanager jm2
cluster_start_taskmanager tm-1 4
for _ in $(seq 100); do [ -n "$(cluster_leader)" ] && break; sleep 0.1; done
first=$(basename "$(cluster_leader)")

# 1. A finished job deletes its graph, checkpoints, counter and files.
"$fjord" submit -c fjord.yaml "$spec" --no-progress --set numbers.to=50000 \
  --set "out.output_dir=$work/out1" > submit1.out 2>&1 || fail "job 1 did not finish: $(tail -3 submit1.out)"
job1=$(head -1 submit1.out)
for path in jobgraphs checkpoints checkpoint-counter; do
  n=$(zk_children "/fjord/default/$path")
  [ "$n" = 0 ] || [ "$n" = none ] || fail "/$path still has $n children after the job finished"
done
[ "$(zk_children /fjord/default/job-results)" = 1 ] || fail "no job result recorded"
left=$(find "$work/recovery" -type f | wc -l)
[ "$left" -eq 0 ] || fail "$left file(s) left in the storage directory: $(ls "$work/recovery")"
echo "ok - a finished job leaves no HA data behind"

# 2. After a failover the finished job is not run again.
cluster_kill "${first%.log}"
second=$([ "$first" = jm1.log ] && echo jm2.log || echo jm1.log)
cluster_wait 1 "leader elected" "$second" 100 || fail "the standby was not elected"
sleep 1
if grep -q "recovered from the job graph store" "$second"; then fail "the standby recovered a job"; fi
"$fjord" list -c fjord.yaml > list.out 2>&1 || fail "list failed: $(cat list.out)"
# Listed from its recorded result, as FINISHED (run again, it would be CREATED or RUNNING).
state=$(awk -v job="$job1" '$1 == job { print $2 }' list.out)
[ "$state" = FINISHED ] || fail "list shows the finished job as '${state:-missing}': $(cat list.out)"
echo "ok - a finished job is not run again after a failover"

# The new leader did not run job 1, yet answers for it from the job result store.
"$fjord" status -c fjord.yaml "$job1" > status1.out 2>&1 \
  || fail "status of the finished job after the failover: $(cat status1.out)"
grep -q "^job $job1: FINISHED" status1.out || fail "status does not say FINISHED: $(cat status1.out)"
unknown=0123456789abcdef0123456789abcdef
if "$fjord" status -c fjord.yaml "$unknown" > unknown.out 2>&1; then
  fail "status of an unknown job exited 0: $(cat unknown.out)"
fi
grep -q "unknown job $unknown" unknown.out || fail "no 'unknown job' for an unknown id: $(cat unknown.out)"
echo "ok - after a failover, status and list report the finished job from its recorded result"

# 3. An orderly stop keeps the HA data of a running job; the next JobManager recovers it.
"$fjord" submit -c fjord.yaml "$spec" --detached --set numbers.rate_per_subtask=20000 \
  --set "out.output_dir=$work/out2" > submit2.out 2>&1 || fail "submit 2: $(cat submit2.out)"
job2=$(head -1 submit2.out)
cluster_wait 3 "checkpoint .* completed" "$second" || fail "no checkpoints of job 2"
kill -TERM "$(cat "${second%.log}.pid")"
wait "$(cat "${second%.log}.pid")" 2>/dev/null || true
[ "$(zk_children /fjord/default/jobgraphs)" = 1 ] || fail "the orderly stop removed the job graph"
[ "$(zk_children "/fjord/default/checkpoints/$job2")" != 0 ] || fail "the orderly stop removed the checkpoints"
echo "ok - an orderly JobManager stop keeps the HA data"
cluster_start_jobmanager jm3
cluster_wait 1 "restoring from checkpoint" jm3.log 200 || fail "jm3 did not restore job 2"
"$fjord" status -c fjord.yaml "$job2" > status.out 2>&1 || fail "status: $(cat status.out)"
echo "ok - the next JobManager restored the job from its checkpoint"

no_job_data_left() {  # no_job_data_left WHAT
  for path in jobgraphs checkpoints checkpoint-counter; do
    n=$(zk_children "/fjord/default/$path")
    [ "$n" = 0 ] || [ "$n" = none ] || fail "/$path still has $n children after $1"
  done
  left=$(find "$work/recovery" -type f | wc -l)
  [ "$left" -eq 0 ] || fail "$left file(s) left in the storage directory after $1"
}

# 4. Cancelling deletes the job's HA data too.
"$fjord" cancel -c fjord.yaml "$job2" > cancel.out 2>&1 || fail "cancel: $(cat cancel.out)"
for _ in $(seq 100); do
  "$fjord" status -c fjord.yaml "$job2" 2>&1 | grep -q "CANCELED" && break; sleep 0.1
done
"$fjord" status -c fjord.yaml "$job2" 2>&1 | grep -q "CANCELED" || fail "job 2 is not CANCELED"
cluster_wait 1 "job graph .* removed" jm3.log 100 || fail "the cancelled job's graph was not removed"
no_job_data_left "the job was cancelled"
echo "ok - a cancelled job leaves no HA data behind"

# 5. So does a job that fails for good (its sink cannot create its output directory).
rc=0
"$fjord" submit -c fjord.yaml "$spec" --no-progress -D restart-strategy=none \
  --set out.output_dir=/dev/null/cannot > submit3.out 2>&1 || rc=$?
[ $rc -eq 1 ] && grep -q "FAILED" submit3.out || fail "job 3 did not fail: rc=$rc, $(tail -3 submit3.out)"
cluster_wait 2 "job graph .* removed" jm3.log 100 || fail "the failed job's graph was not removed"
no_job_data_left "the job failed for good"
[ "$(zk_children /fjord/default/job-results)" = 3 ] || fail "not 3 job results recorded"
echo "ok - a job that failed for good leaves no HA data behind"
