#!/usr/bin/env bash
# `make bench`: runs the benchmarks of the embedded runtime (built by make into BUILD) and prints
# their markdown tables, the figures BENCHMARKS.md records. About 4-5 minutes on 2 cores.
#
#   scripts/bench.sh [BUILD] [--quick] [--zookeeper] [--cluster]
#     --quick      smaller runs (about 30 s), for a first look
#     --zookeeper  also run zk_checkpoint_store_bench (starts its own ZooKeeper; needs Java)
#     --cluster    also run the process-cluster benchmarks (ZooKeeper, JobManager and
#                  TaskManager processes; needs Java; about 2 minutes, --quick about 40 s):
#                  bench/zk_freeze_status_bench.sh (session timeouts 4000 and 2000 ms) and
#                  bench/cluster_throughput_bench.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=build
quick=()
zookeeper=0
cluster=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    --zookeeper) zookeeper=1 ;;
    --cluster) cluster=1 ;;
    -*) echo "bench.sh: unknown option '$arg' (expected --quick, --zookeeper or --cluster)" >&2
        exit 2 ;;
    *) build=$arg ;;
  esac
done
case "$build" in /*) ;; *) build="$root/$build" ;; esac

benches=(checkpoint_roundtrip_bench checkpoint_scaling_bench pipeline_throughput_bench
         status_latency_bench backpressure_memory_bench)
[ "$zookeeper" = 1 ] && benches+=(zk_checkpoint_store_bench)
needed=("${benches[@]}")
[ "$cluster" = 1 ] && needed+=(fjord cluster_status_probe check_exactly_once_sum)
for b in "${needed[@]}"; do
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
if [ "$cluster" = 1 ]; then
  # The scripts print their own headings; quick: the freeze once, one small throughput round.
  freeze_timeouts=(4000 2000)
  throughput_args=(3 5000000)
  if [ ${#quick[@]} -gt 0 ]; then
    freeze_timeouts=(2000)
    throughput_args=(1 1000000)
  fi
  t=$SECONDS
  "$root/bench/zk_freeze_status_bench.sh" "$build" "${freeze_timeouts[@]}" ||
    failed+=(zk_freeze_status_bench.sh)
  echo "(zk_freeze_status_bench.sh took $((SECONDS - t)) s)"
  echo
  t=$SECONDS
  "$root/bench/cluster_throughput_bench.sh" "$build" "${throughput_args[@]}" ||
    failed+=(cluster_throughput_bench.sh)
  echo "(cluster_throughput_bench.sh took $((SECONDS - t)) s)"
  echo
fi
echo "All benchmarks took $((SECONDS - start)) s."
if [ ${#failed[@]} -gt 0 ]; then
  echo "bench.sh: failed: ${failed[*]}" >&2
  exit 1
fi
