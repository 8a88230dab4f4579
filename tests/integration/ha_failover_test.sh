#!/usr/bin/env bash
# Real processes, real ZooKeeper: the leading JobManager is SIGKILLed while a checkpointed job
# runs; the standby restores it from a checkpoint (not from the start) and the output is
# exactly once. Runs scripts/cluster_demo.sh, which asserts all of that.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
FJORD_DEMO_DIR=$work/demo FJORD_DEMO_QUIET=1 FJORD_SESSION_TIMEOUT_MS=1500 \
  "$FJORD_SOURCE_DIR/scripts/cluster_demo.sh" "$(realpath --relative-to="$FJORD_SOURCE_DIR" "$FJORD_BUILD_DIR")"
