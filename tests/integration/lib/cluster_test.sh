# The common start of a process test that runs a local cluster (source it first; not a test
# itself): strict mode, the binaries from ctest's environment, a throwaway work directory as the
# current directory (removed on exit with every process the test started, unless
# FJORD_KEEP_WORK is set), the example job spec, check_sum and fail.
set -euo pipefail
root=$FJORD_SOURCE_DIR
fjord=$FJORD_BIN
work=$(mktemp -d)
cd "$work"
source "$root/scripts/cluster_lib.sh"
trap 'cluster_cleanup; [ -n "${FJORD_KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
spec=$root/examples/jobs/exactly_once_sum.json

# check_sum DIR [--set PATH=VALUE ...]: the example job's committed output in DIR is exactly
# once (prints the verdict); --set as given to the job
check_sum() {
  local dir=$1
  shift
  "$FJORD_BUILD_DIR/check_exactly_once_sum" --spec "$spec" --set "out.output_dir=$dir" "$@"
}

# fail MESSAGE: the test's one way to stop on a failed check: prints MESSAGE, then the last lines
# of every file in $fail_logs (default: every *.log of the work directory), and exits 1.
fail() {
  echo "FAIL: $*"
  local f
  for f in ${fail_logs:-*.log}; do
    [ -f "$f" ] || continue
    echo "--- $f"
    tail -20 "$f"
  done
  exit 1
}

# zk_children PATH: the child count of a znode of the test's ZooKeeper (at 127.0.0.1:$port),
# "none" if the node is missing
zk_children() {
  local out
  out=$(/usr/share/zookeeper/bin/zkCli.sh -server "127.0.0.1:$port" ls "$1" 2>&1 | tail -1)
  case "$out" in
    \[\]) echo 0 ;;
    \[*) echo "$out" | tr -cd ',' | wc -c | awk '{print $1 + 1}' ;;
    *) echo none ;;
  esac
}
