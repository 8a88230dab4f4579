#!/usr/bin/env bash
# `make demo`: runs the exactly-once example in embedded mode with three injected task failures,
# then verifies the committed output with the checker and prints the verdict.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/$build/demo"
rm -rf "$out"
mkdir -p "$out"
cd "$out"   # the example writes to out/exactly_once_sum relative to the working directory

echo "== fjord run examples/jobs/exactly_once_sum.json --inject-failures 3"
echo "   (1,000,000 numbers, 4 sources -> 4 keyed sums -> 2 exactly-once file sinks,"
echo "    checkpoints every 100 ms, sources limited to 100,000 records/s each so you can watch)"
"$root/$build/fjord" run "$root/examples/jobs/exactly_once_sum.json" \
  --inject-failures 3 --set numbers.rate_per_subtask=100000
echo
echo "== check_exactly_once_sum (committed output in $out/out/exactly_once_sum)"
"$root/$build/check_exactly_once_sum" --spec "$root/examples/jobs/exactly_once_sum.json"
