#!/usr/bin/env bash
# `make bench`: runs the benchmarks of the embedded runtime (built by make into BUILD) and prints
# their markdown tables, the figures BENCHMARKS.md records. About 2-3 minutes on 2 cores.
#
#   scripts/bench.sh [BUILD] [--quick] [--zookeeper]
#     --quick      smaller runs (about 30 s), for a first look
#     --zookeeper  also run zk_checkpoint_store_bench (starts its own ZooKeeper; needs Java)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=build
quick=()
zookeeper=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    --zookeeper) zookeeper=1 ;;
    -*) echo "bench.sh: unknown option '$arg' (expected --quick or --zookeeper)" >&2; exit 2 ;;
    *) build=$arg ;;
  esac
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac

benches=(checkpoint_roundtrip_bench pipeline_throughput_bench status_latency_bench
         backpressure_memory_bench)
[ "$zookeeper" = 1 ] && benches+=(zk_checkpoint_store_bench)
for b in "${benches[@]}"; do
  if [ ! -x "$build/$b" ]; then
    echo "bench.sh: $build/$b not found; build first (make bench, or cmake --build $build)" >&2
    exit 2
  fi
done

echo "# Fjord benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
failed=()
start=$SECONDS
for b in "${benches[@]}"; do
  echo "## $b ${quick[*]}"
  echo
  t=$SECONDS
  if [ "$b" = zk_checkpoint_store_bench ]; then
    FJORD_SOURCE_DIR="$root" "$build/$b" || failed+=("$b")
  else
    "$build/$b" "${quick[@]}" || failed+=("$b")
  fi
  echo "($b took $((SECONDS - t)) s)"
  echo
done
echo "All benchmarks took $((SECONDS - start)) s."
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench.sh: failed: ${failed[*]}" >&2
  exit 1
fi
