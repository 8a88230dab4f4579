#!/usr/bin/env bash
# The cluster commands as a new user gets them wrong: bad or missing configuration for
# `fjord jobmanager`, `taskmanager`, `submit`, `status`, `list` and `cancel`; a client whose
# ZooKeeper is unreachable (it must give up after --timeout, naming where it looked); unknown
# job ids and bad specs against a running cluster. Each prints one line naming the problem and
# exits non-zero (2 for bad input, 1 for a failure), and nothing is persisted by a refused
# submission.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
source "$root/tests/integration/lib/expect.sh"

# 1. configuration mistakes, found before anything starts
printf 'recovery.mode: zookeper\n' > typo.yaml
printf 'recovery.mode: zookeeper\n' > noquorum.yaml
printf 'recovery.mode: zookeeper\nrecovery.zookeeper.quorum: 127.0.0.1:1\nrecovery.zookeeper.storageDir: %s/rec\n' \
  "$work" > unreachable.yaml
{ cat unreachable.yaml; echo "recovery.zookeeper.client.session-timeout: soon"; } > badtimeout.yaml
printf 'recovery.mode: standalone\n' > noaddress.yaml
for cmd in jobmanager taskmanager list; do
  expect_error "$cmd: missing config file" 2 "nope.yaml" -- "$fjord" $cmd -c nope.yaml
  expect_error "$cmd: unknown recovery.mode" 2 "recovery.mode: unknown mode 'zookeper'" -- \
    "$fjord" $cmd -c typo.yaml
  expect_error "$cmd: no quorum" 2 "recovery.zookeeper.quorum is not set" -- \
    "$fjord" $cmd -c noquorum.yaml
  expect_error "$cmd: bad session timeout" 2 "session-timeout: expected a duration" -- \
    "$fjord" $cmd -c badtimeout.yaml
  expect_error "$cmd: -D without =" 2 "expected key=value" -- \
    "$fjord" $cmd -c unreachable.yaml -D recovery.mode
done
# An unknown key is a typo until proven otherwise (it was ignored in silence); keys of other
# tools that share the file pass under config.allowed-prefixes.
typo_key=execution.checkpointing.intreval
did_you_mean="unknown configuration key '$typo_key' (did you mean 'execution.checkpointing.interval'?)"
printf 'recovery.mode: standalone\n%s: 5s\n' "$typo_key" > unknownkey.yaml
printf 'config.allowed-prefixes: myapp.\nmyapp.colour: blue\nrecovery.mode: zookeper\n' > shared.yaml
for cmd in jobmanager taskmanager list; do
  expect_error "$cmd: unknown -D key names the known one" 2 "$did_you_mean" -- \
    "$fjord" $cmd -c unreachable.yaml -D "$typo_key=5"
  expect_error "$cmd: unknown key in the file names the file" 2 "unknownkey.yaml: $did_you_mean" -- \
    "$fjord" $cmd -c unknownkey.yaml
  expect_error "$cmd: other tools' keys under config.allowed-prefixes pass" 2 \
    "recovery.mode: unknown mode 'zookeper'" -- "$fjord" $cmd -c shared.yaml
done
expect_error "submit: unknown -D key" 2 "$did_you_mean" -- \
  "$fjord" submit -c unreachable.yaml "$spec" -D "$typo_key=5"
expect_error "jobmanager: zero max-parallelism" 2 "jobmanager.max-parallelism: expected an integer from 1" \
  -- "$fjord" jobmanager -c unreachable.yaml -D jobmanager.max-parallelism=0
expect_error "jobmanager: bad slot-wait" 2 "jobmanager.slot-wait: expected a duration" -- \
  "$fjord" jobmanager -c unreachable.yaml -D jobmanager.slot-wait=soon
expect_error "jobmanager: zero slot-wait" 2 "jobmanager.slot-wait: must be longer than 0" -- \
  "$fjord" jobmanager -c unreachable.yaml -D jobmanager.slot-wait=0ms
expect_error "jobmanager: standalone without an address" 2 "jobmanager.address is not set" -- \
  "$fjord" jobmanager -c noaddress.yaml
expect_error "taskmanager: --slots 0" 2 "slots must be at least 1" -- \
  "$fjord" taskmanager -c unreachable.yaml --slots 0
expect_error "taskmanager: zero credits" 2 "taskmanager.network.credits: expected an integer from 1" \
  -- "$fjord" taskmanager -c unreachable.yaml -D taskmanager.network.credits=0
expect_error "taskmanager: batch size not a number" 2 "taskmanager.network.batch-size: expected an integer" \
  -- "$fjord" taskmanager -c unreachable.yaml -D taskmanager.network.batch-size=big
expect_error "taskmanager: too many pending batches" 2 "taskmanager.network.max-pending-batches" \
  -- "$fjord" taskmanager -c unreachable.yaml -D taskmanager.network.max-pending-batches=5000
expect_error "submit: missing spec" 2 "nope.json" -- "$fjord" submit -c unreachable.yaml nope.json
expect_error "submit: bad --jobmanager" 2 "expected host:port" -- \
  "$fjord" submit -c unreachable.yaml "$spec" --jobmanager localhost

# 2. ZooKeeper unreachable: clients give up after --timeout and say where they looked
started=$SECONDS
out=$("$fjord" status -c unreachable.yaml 0123 --timeout 2 2>&1 >/dev/null); rc=$?
if [ $rc -eq 1 ] && [ $((SECONDS - started)) -le 8 ] &&
   printf '%s' "$out" | tail -1 | grep -q "no leading JobManager found within 2 s (is ZooKeeper at 127.0.0.1:1"; then
  pass "status: unreachable ZooKeeper gives up after --timeout and names the quorum"
else
  count_failure "status: unreachable ZooKeeper: rc=$rc after $((SECONDS - started)) s, output: $out"
fi

# 3. against a running cluster
cluster_start_zookeeper 4000 > /dev/null
echo "jobmanager.slot-wait: 300ms" >> fjord.yaml
cluster_start_jobmanager jm1
cluster_start_taskmanager tm-1 4
cluster_wait 1 "registered (4 slots)" jm1.log || fail "cluster did not start"
# Addresses this machine does not have (a test-host address no namespace here owns): one line
# at start-up naming the key, never a silent hang.
expect_error "taskmanager: a bind-host that is not ours" 1 \
  "taskmanager.bind-host: cannot listen on 198.18.0.77:0" -- \
  "$fjord" taskmanager -c fjord.yaml -D taskmanager.bind-host=198.18.0.77 --slots 1
expect_error "jobmanager: a bind-host that is not ours" 1 \
  "jobmanager.bind-host: cannot listen on 198.18.0.77:0" -- \
  "$fjord" jobmanager -c fjord.yaml -D jobmanager.bind-host=198.18.0.77
expect_error "taskmanager: data port out of range" 2 "taskmanager.data.port: expected 0 to 65535" -- \
  "$fjord" taskmanager -c fjord.yaml -D taskmanager.data.port=70000 --slots 1
expect_error "status: unknown job" 1 "unknown job 0123456789abcdef0123456789abcdef" -- \
  "$fjord" status -c fjord.yaml 0123456789abcdef0123456789abcdef
expect_error "cancel: unknown job" 1 "unknown job 0123456789abcdef0123456789abcdef" -- \
  "$fjord" cancel -c fjord.yaml 0123456789abcdef0123456789abcdef
expect_error "submit: unknown vertex in --set" 2 "unknown vertex 'nope'" -- \
  "$fjord" submit -c fjord.yaml "$spec" --set nope.parallelism=2
expect_error "submit: parallelism 0" 2 "parallelism" -- \
  "$fjord" submit -c fjord.yaml "$spec" --set numbers.parallelism=0
printf '{"name": "broken", "vertices": [' > broken.json
expect_error "submit: truncated spec" 2 "broken.json" -- "$fjord" submit -c fjord.yaml broken.json
expect_error "submit: --jobmanager nobody listens on" 1 "cannot reach the JobManager at 127.0.0.1:1" -- \
  "$fjord" submit -c fjord.yaml "$spec" --jobmanager 127.0.0.1:1
# A job that needs more slots than the cluster has fails once its restarts are used up (each
# attempt waits jobmanager.slot-wait), instead of restarting forever.
out=$("$fjord" submit -c fjord.yaml "$spec" --no-progress --set numbers.parallelism=9 \
  -D restart-strategy.attempts=2 -D restart-strategy.delay=50ms --follow-timeout 60 2>&1); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -q "FAILED" &&
   printf '%s' "$out" | grep -q "the job needs 9, 4 free"; then
  pass "a job that never gets its slots fails after its restarts and says why"
else
  count_failure "a job that never gets its slots: rc=$rc, output: $out"
fi
listed=$("$fjord" list -c fjord.yaml 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$(printf '%s\n' "$listed" | grep -cE '^[0-9a-f]{32} ')" -eq 1 ] &&
   printf '%s' "$listed" | grep -qE "^$(printf '%s' "$out" | head -1) +FAILED"; then
  pass "refused submissions persisted nothing: list shows only the job that failed"
else
  count_failure "list after refused submissions: rc=$rc, output: $listed"
fi
expect_summary
