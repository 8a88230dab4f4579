#!/usr/bin/env bash
# Real processes, acl open (issue 13, item 3): a hostile ZooKeeper writer overwrites /leader while
# the leader is gone (SIGKILLed, its session not yet expired, so nobody rewrites it) with `h:x`,
# `:`, a 1 MB address, binary bytes, `host:99999` and 1 MB that is no envelope. The TaskManager
# and the client following the job stay up and log each value once, escaped and short; once
# the standby is elected and rewrites /leader they follow it and the job finishes exactly once.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
forge=$FJORD_BUILD_DIR/zk_forge
[ -x "$forge" ] || fail "build the zk_forge target: $forge"

port=$(cluster_start_zookeeper 8000)
cluster_start_jobmanager jm1
cluster_wait 1 "leader elected" jm1.log || fail "jm1 was not elected"
cluster_start_jobmanager jm2
cluster_start_taskmanager tm-1 4
cluster_wait 1 "registered (4 slots)" jm1.log || fail "the TaskManager did not register"

"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 180 \
  --set numbers.rate_per_subtask=25000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_wait 3 "checkpoint .* completed" jm1.log || fail "no checkpoints"
cluster_kill jm1
echo "killed the leader jm1"

printf 'h:x' > v1
printf ':' > v2
{ head -c 1000000 /dev/zero | tr '\0' a; printf ':1'; } > v3
printf '\x00\xff\n\x1b[2J:12' > v4
printf 'host:99999' > v5
head -c 1000000 /dev/urandom > v6
session=00000000-0000-4000-8000-000000000000
n=0
for v in v1 v2 v3 v4 v5 v6; do
  if [ $v = v6 ]; then
    "$forge" "127.0.0.1:$port" /fjord/default/leader raw $v > forge.out 2>&1
  else
    "$forge" "127.0.0.1:$port" /fjord/default/leader leader $v $session > forge.out 2>&1
  fi || fail "forging /leader with $v failed: $(cat forge.out)"
  n=$((n + 1))
  cluster_wait $n "ignoring /leader" tm-1.log 50 || fail "the TaskManager did not log forged value $v"
  cluster_wait $n "ignoring /leader" submit.out 50 || fail "the client did not log forged value $v"
done
grep -q "leader elected" jm2.log && fail "jm2 was elected while forging: the forgeries may have been rewritten unseen"
echo "6 forged values, each logged once by the TaskManager and the client"
cluster_alive tm-1 || fail "the TaskManager died of a forged /leader"
kill -0 $submit 2>/dev/null || fail "the client died of a forged /leader: $(tail -3 submit.out)"
# One line per value, escaped, short: no raw control bytes, no megabyte lines.
[ "$(grep -c "ignoring /leader" tm-1.log)" -eq 6 ] || fail "not one line per forged value"
if grep -q $'\x1b' tm-1.log submit.out; then fail "a raw escape byte reached the log"; fi
longest=$(grep "ignoring /leader" tm-1.log | awk '{ print length($0) }' | sort -n | tail -1)
[ "$longest" -lt 1000 ] || fail "a log line of $longest characters"
echo "longest warning line: $longest characters"
grep "ignoring /leader" tm-1.log | sed 's/^.*ignoring/ignoring/' | cut -c1-160

cluster_wait 1 "leader elected" jm2.log 200 || fail "jm2 was not elected"
cluster_wait 2 "registered with the leader" tm-1.log || fail "the TaskManager did not register with jm2"
jm2_address=$(grep -o "listening on [0-9.:]*" jm2.log | awk '{print $3}')
grep -q "leader is now $jm2_address" tm-1.log || fail "the TaskManager did not follow jm2 at $jm2_address"
rc=0
wait "$submit" || rc=$?
tail -2 submit.out
[ $rc -eq 0 ] || fail "the job did not finish after the leader was rewritten (exit $rc)"
grep -q FINISHED submit.out || fail "no FINISHED"
cluster_alive tm-1 || fail "the TaskManager died"
check_sum "$work/out"
