#!/usr/bin/env bash
# Partitions around the TaskManagers and ZooKeeper, on test hosts (network namespaces): ZooKeeper
# and the client on h1, a JobManager on h2, TaskManagers on h3, h4 and h5 (4 slots each; a job
# needs 4). Each case ends with the example job FINISHED and its output verified exactly once.
#  1. h3 is cut off from its peer TaskManager h4 only (both still reach the JobManager): the tasks
#     that talk across the cut fail, and the job restarts from its checkpoint (healed once the
#     restart is seen: while the cut lasts, every attempt on those two would fail to link);
#  2. h3 is cut off from everyone: the JobManager loses it, and the job restarts on the others;
#  3. ZooKeeper is cut off from everyone for longer than the session timeout, then healed: the
#     JobManager loses and regains leadership, and the job resumes from its checkpoint;
#  4. the client (`fjord submit` following its job, on h6) is cut off from everyone for longer
#     than the session timeout, then healed: it reports the job's real end (FINISHED, exit 0).
# Needs root for the namespaces: without them the test is skipped (exit 77), never passed.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
source "$root/tests/integration/lib/netns_cluster.sh"
timeout_ms=2000
netns_cluster_up 6 $timeout_ms
netns_start jm h2 jobmanager
cluster_wait 1 "leader elected" jm.log 150 || fail "the JobManager was not elected"
for i in 3 4 5; do netns_start "tm-$i" "h$i" taskmanager --slots 4; done
for i in 3 4 5; do cluster_wait 1 "registered" "tm-$i.log" 150 || fail "tm-$i did not register"; done

# 1. h3 and h4 cannot reach each other; both reach the JobManager. The job's 4 slots are spread
# over all three TaskManagers (most free first), so tasks on h3 and h4 exchange records.
netns_submit "$work/out1" 150000 5000
cluster_wait 3 "job $job: checkpoint .* completed" jm.log 300 || fail "case 1: no checkpoints"
"$hosts" cut h3 h4 > /dev/null
echo "ok - case 1: h3 and h4 cut from each other (both still reach the JobManager)"
cluster_wait 1 "job $job: .*restarting from the latest checkpoint" jm.log 300 \
  || fail "case 1: the job never restarted after its TaskManagers lost each other"
cause=$(grep -m1 "job $job: .*restarting" jm.log)
echo "$cause" | grep -q "lost the connection to a peer task" \
  || fail "case 1: the restart names another cause: $cause"
[ "$(grep -c "task manager tm-[34] lost" jm.log)" -eq 0 ] \
  || fail "case 1: the JobManager lost a TaskManager it still reaches"
"$hosts" heal > /dev/null
netns_finish "$work/out1" 150000
echo "ok - case 1: the cut between two TaskManagers failed the tasks across it and restarted the job; healed"

# 2. h3 is cut off from everyone.
netns_submit "$work/out2" 150000 5000
cluster_wait 3 "job $job: checkpoint .* completed" jm.log 300 || fail "case 2: no checkpoints"
"$hosts" cut h3 > /dev/null
cluster_wait 1 "task manager tm-3 lost" jm.log 300 || fail "case 2: the JobManager never lost tm-3"
netns_finish "$work/out2" 150000
"$hosts" heal > /dev/null
echo "ok - case 2: tm-3 cut off from everyone was lost, the job finished on the others"

# 3. ZooKeeper cut off from everyone for twice the session timeout.
cluster_wait 1 "registered" tm-3.log 300 || true
netns_submit "$work/out3" 150000 5000
cluster_wait 3 "job $job: checkpoint .* completed" jm.log 300 || fail "case 3: no checkpoints"
"$hosts" cut h1 > /dev/null
cluster_wait 1 "leadership revoked" jm.log 300 || fail "case 3: the JobManager kept leading without ZooKeeper"
sleep $((2 * timeout_ms / 1000))
"$hosts" heal > /dev/null
cluster_wait 2 "leader elected" jm.log 300 || fail "case 3: the JobManager was not elected again"
cluster_wait 1 "job $job restoring from checkpoint" jm.log 300 || fail "case 3: the job was not restored"
netns_finish "$work/out3" 150000
echo "ok - case 3: ZooKeeper cut off for $((2 * timeout_ms / 1000)) s: leadership lost, regained, job restored from its checkpoint"

# 4. The client is cut off while it follows the job, then healed.
client_host=h6
netns_submit "$work/out4" 150000 5000
cluster_wait 2 "job $job: checkpoint .* completed" jm.log 300 || fail "case 4: no checkpoints"
"$hosts" cut h6 > /dev/null
sleep $((2 * timeout_ms / 1000))
"$hosts" heal > /dev/null
netns_finish "$work/out4" 150000
echo "ok - case 4: the client cut off for $((2 * timeout_ms / 1000)) s while it followed the job reported its end"
