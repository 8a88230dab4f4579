#!/usr/bin/env bash
# Chaos: 3 JobManagers and 3 TaskManagers as real processes; while a checkpointed job runs, a
# random JobManager leader or TaskManager is SIGKILLed every few seconds (a replacement is started
# first, as Flink's ChaosMonkeyITCase does). The job must finish with exactly-once output, and
# afterwards no job data may be left in ZooKeeper or the storage directory.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
RANDOM=${FJORD_CHAOS_SEED:-$$}

port=$(cluster_start_zookeeper 1500)
jms=(jm1 jm2 jm3)
tms=(tm-1 tm-2 tm-3)
for jm in "${jms[@]}"; do cluster_start_jobmanager "$jm"; done
for tm in "${tms[@]}"; do cluster_start_taskmanager "$tm" 2; done
next=4

leader() {  # the living JobManager that was elected last
  local best="" best_time=""
  for jm in "${jms[@]}"; do
    local t
    t=$(grep "leader elected" "$jm.log" 2>/dev/null | tail -1 | cut -c1-12)
    if [ -n "$t" ] && [[ "$t" > "$best_time" ]]; then best=$jm; best_time=$t; fi
  done
  echo "$best"
}
for _ in $(seq 100); do [ -n "$(leader)" ] && break; sleep 0.1; done
[ -n "$(leader)" ] || fail "no leader"

"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 240 \
  --set numbers.rate_per_subtask=15000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_pids+=($submit)
cluster_wait 2 "checkpoint .* completed" "$(leader).log" 200 || fail "no checkpoints"

for round in 1 2 3 4; do
  sleep "$((2 + RANDOM % 2))"
  kill -0 "$submit" 2>/dev/null || break  # finished already
  if [ $((RANDOM % 2)) -eq 0 ]; then
    old=$(leader)
    fresh="jm$next"; next=$((next + 1))
    cluster_start_jobmanager "$fresh"
    cluster_wait 1 "listening on" "$fresh.log" 100 || fail "$fresh did not start"
    cluster_kill "$old"
    jms=("${jms[@]/$old}"); jms=($(printf '%s\n' "${jms[@]}" | grep .)); jms+=("$fresh")
    for _ in $(seq 100); do [ -n "$(leader)" ] && [ "$(leader)" != "$old" ] && break; sleep 0.1; done
    echo "round $round: killed leader $old, now $(leader)"
  else
    fresh="tm-$next"; next=$((next + 1))
    cluster_start_taskmanager "$fresh" 2
    cluster_wait 1 "registered with the leader" "$fresh.log" 100 || fail "$fresh did not register"
    victim=${tms[$((RANDOM % ${#tms[@]}))]}
    cluster_kill "$victim"
    tms=("${tms[@]/$victim}"); tms=($(printf '%s\n' "${tms[@]}" | grep .)); tms+=("$fresh")
    echo "round $round: killed $victim"
  fi
done

rc=0
wait "$submit" || rc=$?
tail -4 submit.out
[ $rc -eq 0 ] || fail "the job did not finish (exit $rc)"
check_sum "$work/out"
zk_children() {
  local out
  out=$(/usr/share/zookeeper/bin/zkCli.sh -server "127.0.0.1:$port" ls "$1" 2>&1 | tail -1)
  case "$out" in \[\]) echo 0 ;; \[*) echo some ;; *) echo none ;; esac
}
for _ in $(seq 50); do  # the leader's cleanup runs right after FINISHED
  [ "$(find "$work/recovery" -type f | wc -l)" -eq 0 ] && break
  sleep 0.1
done
for path in jobgraphs checkpoints checkpoint-counter; do
  n=$(zk_children "/fjord/default/$path")
  [ "$n" = 0 ] || [ "$n" = none ] || fail "/$path is not empty after the job finished"
done
left=$(find "$work/recovery" -type f | wc -l)
[ "$left" -eq 0 ] || fail "$left file(s) left in the storage directory: $(ls -a "$work/recovery")"
echo "ok - exactly once through chaos, no HA data left"
