#!/usr/bin/env bash
# A real cluster on five test hosts (network namespaces, scripts/netns-hosts.sh): ZooKeeper and
# the client on h1, JobManagers on h2 and h3, TaskManagers on h4 and h5; every process listens on
# and announces its host's own 198.18.0.x address. The leader is cut off from ZooKeeper and from
# the standby while it still reaches both TaskManagers (the partition Flink's Jepsen tests cut).
# It must stop acting within its session timeout, the standby must take over and restore the
# job, the old leader must complete no checkpoint after the new one was elected, and once healed
# it must rejoin as a standby. The job ends FINISHED with its output exactly once.
# Needs root for the namespaces: without them the test is skipped (exit 77), never passed.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
source "$root/tests/integration/lib/netns_cluster.sh"
timeout_ms=2000
netns_cluster_up 5 $timeout_ms
netns_start jm-a h2 jobmanager
cluster_wait 1 "leader elected" jm-a.log 150 || fail "jm-a was not elected"
netns_start jm-b h3 jobmanager
netns_start tm-1 h4 taskmanager --slots 4
netns_start tm-2 h5 taskmanager --slots 4
cluster_wait 1 "registered" tm-1.log 150 && cluster_wait 1 "registered" tm-2.log 150 \
  || fail "the TaskManagers did not register"
grep -q "leader is now 198.18.0.2:" tm-1.log || fail "tm-1 does not follow the leader at 198.18.0.2"
grep -q "data endpoint 198.18.0.4:" tm-1.log || fail "tm-1 does not announce 198.18.0.4"
echo "ok - 5 hosts: ZooKeeper on h1, JobManagers on h2 (leader) and h3, TaskManagers on h4 and h5"

records=120000
netns_submit "$work/out" $records 5000
cluster_wait 3 "job $job: checkpoint .* completed" jm-a.log 300 || fail "no checkpoints under jm-a"

cut_at=$(stamp)
"$hosts" cut h2 h1 > /dev/null
"$hosts" cut h2 h3 > /dev/null
echo "ok - the leader h2 is cut off from ZooKeeper (h1) and the standby (h3) at $cut_at; it still reaches h4 and h5"

cluster_wait 1 "leadership revoked" jm-a.log 200 || fail "the cut-off leader never stopped acting"
cluster_wait 1 "leader elected" jm-b.log 300 || fail "the standby was not elected"
revoked_after=$(cluster_seconds_since "$cut_at" "leadership revoked" jm-a.log)
elected_after=$(cluster_seconds_since "$cut_at" "leader elected" jm-b.log)
awk -v r="$revoked_after" -v t="$timeout_ms" 'BEGIN { exit !(r <= t / 1000 + 1.0) }' \
  || fail "the old leader stopped acting $revoked_after s after the cut (session timeout $timeout_ms ms)"
echo "ok - the old leader stopped acting after $revoked_after s; the standby was elected after $elected_after s (session timeout $((timeout_ms / 1000)) s)"

cluster_wait 1 "job $job restoring from checkpoint" jm-b.log 300 || fail "the new leader did not restore the job"
# No checkpoint completed by the old leader after the new one was elected (log times are one
# clock: the same machine).
elected=$(grep -m1 "leader elected" jm-b.log | cut -c1-12)
late=$(grep "job $job: checkpoint .* completed" jm-a.log | cut -c1-12 \
       | awk -v e="$elected" '$1 >= e' | wc -l)
[ "$late" -eq 0 ] || fail "the old leader completed $late checkpoint(s) after the new leader was elected"
echo "ok - the new leader restored the job; the old one completed no checkpoint after $elected"

"$hosts" heal > /dev/null
healed_at=$(stamp)
netns_finish "$work/out" $records

# Healed, the old leader contends again, as a standby: it is not elected while jm-b leads.
sleep 2
[ "$(grep -c "leader elected" jm-a.log)" -eq 1 ] || fail "the old leader was elected again"
cluster_alive jm-a || fail "the old leader died instead of rejoining"
grep -q "contending with a new" jm-a.log || fail "the old leader did not contend again"
echo "ok - healed at $healed_at, the old leader rejoined as a standby"
