#!/usr/bin/env bash
# `fjord run` as a user drives it: a good run with injected failures verified by the checker,
# other sizes and parallelisms, a job that fails for good, and bad arguments and specs — each of
# those must print exactly one line naming the problem and exit non-zero.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
source "$root/tests/integration/lib/expect.sh"
checker=$FJORD_BUILD_DIR/check_exactly_once_sum

# 1. the example with injected failures, other size and parallelism, verified exactly once
if "$fjord" run "$spec" --no-progress --inject-failures 2 --seed 11 \
     --set numbers.to=300000 --set numbers.rate_per_subtask=60000 --set sums.parallelism=3 \
     > run1.out 2> run1.err \
   && grep -q "FINISHED" run1.out && grep -q "2 of 2 requested failures injected" run1.out \
   && "$checker" --spec "$spec" --set numbers.to=300000 > check1.out; then
  pass "example with 2 injected failures is exactly once ($(cat check1.out))"
else
  count_failure "example with injected failures: $(cat run1.out run1.err check1.out 2>/dev/null | tail -5)"
fi

# 2. checkpointing off: the final checkpoint still commits everything
rm -rf out
if "$fjord" run "$spec" --no-progress --set checkpointing.interval_ms=0 --set numbers.to=50000 \
     -D restart-strategy=none > run2.out 2>&1 \
   && "$checker" --spec "$spec" --set numbers.to=50000 > /dev/null; then
  pass "checkpointing off commits the output at the end"
else
  count_failure "checkpointing off: $(tail -3 run2.out)"
fi

# 3. a job that fails for good exits 1 and says why
rm -rf out
"$fjord" run "$spec" --no-progress --inject-failures 1 --seed 5 -D restart-strategy=none \
  --set numbers.rate_per_subtask=50000 > run3.out 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q "FAILED" run3.out && grep -q "cause: task .* killed" run3.out; then
  pass "a job without restarts left fails with exit 1 and names the cause"
else
  count_failure "failing job: rc=$rc, $(tail -3 run3.out)"
fi

# 4. bad input: one line, exit 2
cat > bad_parallelism.json <<'JSON'
{"vertices": [{"id": "a", "operator": "sequence", "parallelism": 0, "params": {"from": 1, "to": 2}},
              {"id": "b", "operator": "stdout"}],
 "edges": [{"from": "a", "to": "b"}]}
JSON
echo '{"vertices": [' > truncated.json
cat > unknown_op.json <<'JSON'
{"vertices": [{"id": "a", "operator": "sequense", "params": {"from": 1, "to": 2}}]}
JSON
expect_error "parallelism 0 names the field" 2 "vertices\[0\].parallelism" -- \
  "$fjord" run bad_parallelism.json --no-progress
expect_error "truncated JSON is reported" 2 "truncated.json" -- \
  "$fjord" run truncated.json --no-progress
expect_error "unknown operator is named" 2 "sequense" -- "$fjord" run unknown_op.json --no-progress
expect_error "missing spec file is named" 2 "no_such.json" -- "$fjord" run no_such.json
expect_error "bad --set path" 2 "nosuchvertex" -- \
  "$fjord" run "$spec" --set nosuchvertex.x=1
expect_error "too few slots" 2 "needs 4 slots" -- \
  "$fjord" run "$spec" --task-managers 1 --slots 2
expect_error "zero task managers" 2 "task-managers" -- "$fjord" run "$spec" --task-managers 0
expect_error "unknown option" 2 "--frobnicate" -- "$fjord" run "$spec" --frobnicate
expect_error "bad -D value" 2 "restart-strategy" -- "$fjord" run "$spec" -D restart-strategy=sometimes
expect_error "bad duration" 2 "execution.checkpointing.interval" -- \
  "$fjord" run "$spec" -D execution.checkpointing.interval=fast
expect_error "missing config file" 2 "nope.yaml" -- "$fjord" run "$spec" -c nope.yaml
typo_key=execution.checkpointing.intreval
expect_error "unknown -D key names the known one" 2 \
  "unknown configuration key '$typo_key' (did you mean 'execution.checkpointing.interval'?)" -- \
  "$fjord" run "$spec" -D "$typo_key=5"
expect_error "a vertex beyond jobmanager.max-parallelism is refused by the JobManager" 1 \
  "is more than jobmanager.max-parallelism (2)" -- \
  "$fjord" run "$spec" --no-progress -D jobmanager.max-parallelism=2
expect_error "no subcommand" 2 "subcommand" -- "$fjord"

expect_summary
