#!/usr/bin/env bash
# A standalone cluster of processes, as the README configures one (recovery.mode: standalone,
# jobmanager.address): a TaskManager registers with the JobManager although standalone leader
# retrieval announces no session, and a submitted job runs to FINISHED, exactly once.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/fjord.yaml" <<CONF
recovery.mode: standalone
jobmanager.address: 127.0.0.1:$port
CONF
cluster_start_jobmanager jm
cluster_wait 1 "listening on 127.0.0.1:$port" jm.log 100 || fail "the JobManager did not listen on $port"
cluster_start_taskmanager tm1 4
cluster_wait 1 "registered with the leader" tm1.log 100 \
  || fail "the TaskManager never registered with the standalone JobManager"
"$fjord" submit -c fjord.yaml "$spec" --set numbers.to=20000 --set "out.output_dir=$work/out" \
  --no-progress --follow-timeout 60 > submit.log 2>&1 || fail "the job did not finish"
grep -q FINISHED submit.log || fail "submit did not report FINISHED: $(tail -3 submit.log)"
check_sum "$work/out" --set numbers.to=20000 > check.log || fail "output not exactly once: $(cat check.log)"
echo "ok   - standalone cluster of processes: registered, job FINISHED, $(tail -1 check.log)"
