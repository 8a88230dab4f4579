#!/usr/bin/env bash
# Real processes, real ZooKeeper, recovery.zookeeper.client.acl: creator (issue 13, item 3): two
# JobManagers, a TaskManager and a client share one digest identity; the job finishes exactly
# once. A stranger (zkCli with no identity) and another identity get NoAuth on /leader and the
# other znodes, the cluster's identity reads them, and a client without the digest file names
# the refusal.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
zkcli=/usr/share/zookeeper/bin/zkCli.sh
[ -x "$zkcli" ] || { echo "SKIP: no $zkcli"; exit 77; }

port=$(cluster_start_zookeeper 2000)
cp fjord.yaml open.yaml
printf 'fjord:%s\n' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" > digest
chmod 600 digest
cat >> fjord.yaml <<CONF
recovery.zookeeper.client.acl: creator
recovery.zookeeper.auth.digest-file: $work/digest
CONF
cluster_start_jobmanager jm1
cluster_start_jobmanager jm2
cluster_start_taskmanager tm-1 4
for _ in $(seq 100); do [ -n "$(cluster_leader)" ] && break; sleep 0.1; done
[ -n "$(cluster_leader)" ] || fail "no JobManager was elected under acl creator"
cluster_wait 1 "registered (4 slots)" "$(cluster_leader)" || fail "the TaskManager did not register"

"$fjord" submit -c fjord.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.to=200000 --set "out.output_dir=$work/out" > submit.out 2>&1 \
  || fail "the job did not finish under acl creator: $(tail -3 submit.out)"
grep -q FINISHED submit.out || fail "no FINISHED: $(tail -3 submit.out)"
check_sum "$work/out" --set numbers.to=200000

# zk_as IDENTITY COMMAND...: zkCli with that digest identity ("" for none)
zk_as() {
  local who=$1
  shift
  { [ -n "$who" ] && echo "addauth digest $who"; echo "$*"; echo quit; } |
    "$zkcli" -server "127.0.0.1:$port" 2>&1 || true
}
base=/fjord/default
leaderlatch_child=$(zk_as "$(cat digest)" ls $base/leaderlatch | grep -o 'latch-[^],]*' | head -1)
[ -n "$leaderlatch_child" ] || fail "the cluster's identity cannot list the latch"
zk_as "$(cat digest)" get $base/leader > own.out
grep -q "127.0.0.1" own.out || fail "the cluster's identity cannot read /leader: $(tail -3 own.out)"
for who in "" "mallory:guess"; do
  for cmd in "get $base/leader" "set $base/leader forged" "ls $base/jobgraphs" \
             "create $base/leaderlatch/forged x" "delete $base/leaderlatch/$leaderlatch_child" \
             "get $base/checkpoint-counter" "ls $base"; do
    zk_as "$who" "$cmd" > stranger.out
    grep -Eq "Insufficient permission|NoAuth" stranger.out \
      || fail "'${who:-no identity}' ran '$cmd' without NoAuth: $(grep -v '^\s*$' stranger.out | tail -3)"
  done
done
echo "a stranger and another identity got NoAuth on 7 operations each"
# The leader never lost its latch to the stranger's delete.
zk_as "$(cat digest)" ls $base/leaderlatch | grep -q "$leaderlatch_child" \
  || fail "the latch node is gone"

# A client without the identity cannot find the leader and says why.
rc=0
"$fjord" list -c open.yaml --timeout 3 > list.out 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "a client without the identity listed the jobs: $(cat list.out)"
grep -q "not authorized" list.out || fail "the client did not say it is not authorized: $(cat list.out)"
echo "client without the digest file: $(tail -1 list.out)"
for p in jm1 jm2 tm-1; do cluster_alive $p || fail "$p died"; done
