#!/usr/bin/env bash
# Real processes, real ZooKeeper: the leading JobManager is SIGKILLed while a checkpointed job
# runs; the standby restores it from a checkpoint (not from the start) and the output is
# exactly once. Runs scripts/cluster_demo.sh, which asserts all of that.
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
FJORD_DEMO_DIR=$dir FJORD_DEMO_QUIET=1 FJORD_SESSION_TIMEOUT_MS=1500 \
  "$FJORD_SOURCE_DIR/scripts/cluster_demo.sh" "$(realpath --relative-to="$FJORD_SOURCE_DIR" "$FJORD_BUILD_DIR")"
