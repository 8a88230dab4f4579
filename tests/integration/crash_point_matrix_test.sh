#!/usr/bin/env bash
# The crash-point matrix (issue 9): real ZooKeeper, real processes. For each case a fresh
# cluster (its own ZooKeeper cluster id and storage directory) runs the example job, and one
# process has one failpoint armed (the leader, a standby that takes over, or a TaskManager): `crash` exits it at that exact step (_exit, like SIGKILL);
# `error(...)` makes that step fail. A standby JobManager or a second TaskManager takes over.
# Every case asserts that the failpoint fired (its line in the failpoint log, and a crashed
# process really gone), that the job ends FINISHED with its output exactly once, and that no HA
# data of the job is left in ZooKeeper or the storage directory.
#
# FJORD_CRASH_CASES="PROCESS:FAILPOINT=ACTION ..." replaces the default list (make test-long
# runs a longer one: scripts/crash_matrix_long.sh).
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"

default_cases="
jobmanager:jobgraph.persist.before=crash@1
jobmanager:jobgraph.persist.after=crash@1
jobmanager:storage.file.written=crash@3
jobmanager:checkpoint.counter.increment=crash@4
jobmanager:checkpoint.add.before=crash@3
jobmanager:checkpoint.add.after=crash@3
jobmanager:checkpoint.notify.sent=crash@3
jobmanager:job.result.written=crash@1
jobmanager:job.checkpoints.deleted=crash@1
jobmanager:job.graph.removed=crash@1
jobmanager:storage.file.write=error(ENOSPC)@4
taskmanager:task.snapshot.before=crash@6
taskmanager:task.acknowledge.sent=crash@6
taskmanager:sink.write=crash@3
taskmanager:sink.stage=crash@2
taskmanager:sink.staged=crash@2
taskmanager:sink.commit=crash@2
taskmanager:sink.committed=crash@2
taskmanager:sink.stage=error(EIO)@2
taskmanager:sink.commit=error(EIO)@2
taskmanager:sink.write=error(ENOSPC)@3
standby:storage.file.read=error(EIO)*6
"
cases=${FJORD_CRASH_CASES:-$default_cases}

port=$(cluster_start_zookeeper 1500)
base_config=$(cat fjord.yaml)

# start NAME ROLE FAILPOINTS: a JobManager or a TaskManager (4 slots) of the current case
start() {
  local name=$1 role=$2 armed=$3
  if [ "$role" = jobmanager ]; then
    FJORD_FAILPOINTS=$armed FJORD_FAILPOINTS_LOG=$dir/failpoints.log \
      "$fjord" jobmanager -c "$dir/fjord.yaml" > "$dir/$name.log" 2>&1 &
  else
    FJORD_FAILPOINTS=$armed FJORD_FAILPOINTS_LOG=$dir/failpoints.log \
      "$fjord" taskmanager -c "$dir/fjord.yaml" --slots 4 --id "$name" > "$dir/$name.log" 2>&1 &
  fi
  cluster_pids+=($!)
  echo $! > "$dir/$name.pid"
}

stop_case() {
  local f
  for f in "$dir"/*.pid; do
    kill -9 "$(cat "$f")" 2>/dev/null || true
    wait "$(cat "$f")" 2>/dev/null || true
  done
}

n=0
for case_spec in $cases; do
  n=$((n + 1))
  role=${case_spec%%:*}
  armed=${case_spec#*:}
  point=${armed%%=*}
  dir=$work/case-$n
  mkdir -p "$dir"
  fail_logs="$dir/*.log $dir/submit.out"
  { echo "$base_config" | grep -v storageDir
    echo "recovery.zookeeper.storageDir: $dir/recovery"
    echo "recovery.zookeeper.path.cluster-id: case-$n"; } > "$dir/fjord.yaml"

  # The armed process is the leader (started and elected first), the standby (which takes
  # over when the test SIGKILLs the leader mid-job: its recovery meets the failpoint) or the
  # first TaskManager.
  if [ "$role" = standby ]; then
    start jm-1 jobmanager ""
    cluster_wait 1 "leader elected" "$dir/jm-1.log" 100 || fail "$armed: jm-1 not elected"
    start jm-armed jobmanager "$armed"
    start tm-1 taskmanager ""
    start tm-2 taskmanager ""
    armed_name=jm-armed
  elif [ "$role" = jobmanager ]; then
    start jm-armed jobmanager "$armed"
    cluster_wait 1 "leader elected" "$dir/jm-armed.log" 100 || fail "$armed: jm-armed not elected"
    start jm-standby jobmanager ""
    start tm-1 taskmanager ""
    start tm-2 taskmanager ""
    armed_name=jm-armed
  else
    start jm-1 jobmanager ""
    cluster_wait 1 "leader elected" "$dir/jm-1.log" 100 || fail "$armed: jm-1 not elected"
    start tm-armed taskmanager "$armed"
    start tm-2 taskmanager ""
    armed_name=tm-armed
  fi
  cluster_wait 1 "registered" "$dir/tm-2.log" 100 || fail "$armed: tm-2 did not register"

  rc=0
  "$fjord" submit -c "$dir/fjord.yaml" "$spec" --no-progress --follow-timeout 120 \
    --set numbers.to=24000 --set numbers.rate_per_subtask=3000 \
    --set "out.output_dir=$dir/out" > "$dir/submit.out" 2>&1 &
  submit=$!
  if [ "$role" = standby ]; then
    cluster_wait 3 "checkpoint .* completed" "$dir/jm-1.log" 200 || fail "$armed: no checkpoints"
    kill -9 "$(cat "$dir/jm-1.pid")"
  fi
  wait $submit || rc=$?
  [ $rc -eq 0 ] || fail "$armed: fjord submit exited $rc: $(tail -3 "$dir/submit.out")"
  grep -q "FINISHED" "$dir/submit.out" || fail "$armed: the job did not finish: $(tail -3 "$dir/submit.out")"

  grep -q "failpoint $point fired" "$dir/failpoints.log" 2>/dev/null \
    || fail "$armed: the failpoint never fired"
  case "$role:$armed" in
    standby:*error*)
      # The failed read made the standby's recovery of the job fail, and it was retried.
      grep -q "cannot be recovered: .*failpoint $point" "$dir/jm-armed.log" \
        || fail "$armed: the standby's recovery never failed"
      grep -q "restoring from checkpoint" "$dir/jm-armed.log" \
        || fail "$armed: the standby did not restore the job from a checkpoint" ;;
    *crash*)
      if kill -0 "$(cat "$dir/$armed_name.pid")" 2>/dev/null; then
        fail "$armed: fired, but $armed_name still runs"
      fi
      wait "$(cat "$dir/$armed_name.pid")" 2>/dev/null && code=0 || code=$?
      [ "$code" -eq 86 ] || fail "$armed: $armed_name exited $code, not 86 (the crash failpoint)" ;;
  esac

  verdict=$(check_sum "$dir/out" --set numbers.to=24000) \
    || fail "$armed: output not exactly once: $verdict"

  # Nothing of the job is left (the clean-up may finish on the standby just after the client
  # saw FINISHED).
  for _ in $(seq 100); do
    left=""
    for path in jobgraphs checkpoints checkpoint-counter; do
      c=$(zk_children "/fjord/case-$n/$path")
      [ "$c" = 0 ] || [ "$c" = none ] || left="$left /$path:$c"
    done
    files=$(find "$dir/recovery" -type f 2>/dev/null | wc -l)
    [ "$files" -eq 0 ] || left="$left files:$files"
    [ -z "$left" ] && break
    sleep 0.1
  done
  [ -z "$left" ] || fail "$armed: HA data left after the job finished:$left"
  [ "$(zk_children "/fjord/case-$n/job-results")" = 1 ] || fail "$armed: no job result recorded"
  stop_case 2>/dev/null
  echo "ok - $role $armed: fired; FINISHED, exactly once ($verdict), no HA data left"
done
echo "ok - $n crash-point cases"
