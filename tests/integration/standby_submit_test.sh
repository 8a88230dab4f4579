#!/usr/bin/env bash
# Real processes, real ZooKeeper: a job submitted to the standby JobManager is persisted there
# and run by the leader (which learns of it through the job graph store's watch), exactly once.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

cluster_start_zookeeper 2000 > /dev/null
cluster_start_jobmanager jm1
cluster_start_jobmanager jm2
cluster_start_taskmanager tm-1 4
for _ in $(seq 100); do [ -n "$(cluster_leader)" ] && break; sleep 0.1; done
leader=$(basename "$(cluster_leader)")
standby=$([ "$leader" = jm1.log ] && echo jm2.log || echo jm1.log)
cluster_wait 1 "listening on" "$standby" 100 || fail "the standby did not start"
address=$(grep -o "listening on [0-9.:]*" "$standby" | awk '{print $3}')

"$fjord" submit -c fjord.yaml --jobmanager "$address" --detached "$spec" \
  --set numbers.to=100000 --set "out.output_dir=$work/out" > submit.out 2>&1 \
  || fail "submission to the standby failed: $(cat submit.out)"
job=$(head -1 submit.out)
grep -q "persisted by this standby" "$standby" || fail "the standby did not persist the job"
cluster_wait 1 "submitted through another JobManager" "$leader" 100 \
  || fail "the leader did not pick the job up: $(tail -5 "$leader")"
for _ in $(seq 200); do
  "$fjord" status -c fjord.yaml "$job" > status.out 2>&1 || true
  grep -q "FINISHED" status.out && break
  sleep 0.1
done
grep -q "FINISHED" status.out || fail "the job did not finish: $(cat status.out)"
if grep -q "job ${job:0:8} .*running (attempt" "$standby"; then fail "the standby ran the job"; fi
check_sum "$work/out" --set numbers.to=100000
