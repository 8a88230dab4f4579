#!/usr/bin/env bash
# TaskManagers exchange records directly (issue 12): real ZooKeeper, 1 JobManager, 2
# TaskManagers whose tasks are spread over both. The example job's hash edge sends about half of
# its records from one TaskManager to the other. The kernel's byte counts of the sockets (ss)
# show where they went: over the TaskManager-to-TaskManager connection, while the JobManager's
# sockets carry under 1% of that (before, CAF relayed every such record through the JobManager:
# its sockets carried as much as the TaskManagers exchanged, and the two had no connection).
# Then one TaskManager is SIGKILLed mid-job: the job restarts on the other and still ends
# exactly once.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

port=$(cluster_start_zookeeper 2000)
cluster_start_jobmanager jm
cluster_wait 1 "leader elected" jm.log 100 || fail "the JobManager was not elected"
cluster_start_taskmanager tm-1 4
cluster_start_taskmanager tm-2 4
cluster_wait 1 "registered" tm-1.log 100 && cluster_wait 1 "registered" tm-2.log 100 \
  || fail "the TaskManagers did not register"
grep -q "data endpoint 127.0.0.1:[0-9]" tm-1.log || fail "tm-1 announced no data endpoint"

records=6000000
"$fjord" submit -c fjord.yaml "$spec" --no-progress --set numbers.to=$records \
  --set checkpointing.interval_ms=500 --set "out.output_dir=$work/out1" > submit1.out 2>&1 \
  || fail "the job did not finish: $(tail -3 submit1.out)"
jm_bytes=$(python3 "$root/scripts/socket_bytes.py" "$(cat jm.pid)")
link_bytes=$(python3 "$root/scripts/socket_bytes.py" "$(cat tm-1.pid)" "$(cat tm-2.pid)")
echo "bytes: JobManager sockets $jm_bytes, TaskManager-to-TaskManager $link_bytes"
[ "$link_bytes" -gt 20000000 ] \
  || fail "only $link_bytes bytes between the TaskManagers: records did not go directly"
[ $((jm_bytes * 100)) -le "$link_bytes" ] \
  || fail "the JobManager's sockets carried $jm_bytes bytes, more than 1% of the $link_bytes between the TaskManagers"
verdict=$(check_sum "$work/out1" --set numbers.to=$records) || fail "job 1 not exactly once: $verdict"
echo "ok - records went TaskManager to TaskManager ($link_bytes bytes), the JobManager carried $jm_bytes ($(awk -v a="$jm_bytes" -v b="$link_bytes" 'BEGIN { printf "%.2f", 100 * a / b }')%); exactly once"

# A TaskManager dies mid-job: its peer's tasks lose their direct connection, the job restarts
# from its checkpoint on the remaining TaskManager (4 slots: enough) and ends exactly once.
"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.to=200000 --set numbers.rate_per_subtask=20000 \
  --set "out.output_dir=$work/out2" > submit2.out 2>&1 &
submit=$!
cluster_wait 1 "." submit2.out 100 || fail "job 2 was not submitted"
job2=$(head -1 submit2.out | cut -c1-8)
cluster_wait 3 "job $job2: checkpoint .* completed" jm.log 200 || fail "job 2 did not checkpoint"
cluster_kill tm-2
rc=0
wait $submit || rc=$?
[ $rc -eq 0 ] && grep -q FINISHED submit2.out || fail "job 2 did not finish: $(tail -3 submit2.out)"
grep -q "job $job2: .*restarting from the latest checkpoint" jm.log \
  || fail "job 2 never restarted after the kill"
verdict=$(check_sum "$work/out2" --set numbers.to=200000) || fail "job 2 not exactly once: $verdict"
echo "ok - a TaskManager SIGKILLed mid-job: restarted on the other, exactly once ($verdict)"
