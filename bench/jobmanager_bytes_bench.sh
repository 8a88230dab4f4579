#!/usr/bin/env bash
# Bytes through the JobManager's sockets vs between the TaskManagers (issue 12): ZooKeeper, 1
# JobManager and 2 TaskManager processes (5 slots each) on loopback run the example job over
# RECORDS numbers (unthrottled, checkpoint every 100 ms); the kernel's counts of every socket
# (ss, scripts/socket_bytes.py) are read once the job finished, while the processes still run.
#
#   bench/jobmanager_bytes_bench.sh [BUILD_DIR] [RECORDS]      (default: build 40000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
records=${2:-40000000}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
fjord=$build/fjord
work=$(mktemp -d /tmp/fjord-jmbytes.XXXXXX)
cd "$work"
cluster_pids=()
source "$root/scripts/cluster_lib.sh"
trap 'cluster_cleanup; rm -rf "$work"' EXIT
cluster_start_zookeeper 4000 > /dev/null
cluster_start_jobmanager jm
cluster_wait 1 "leader elected" jm.log 100
cluster_start_taskmanager tm-1 5
cluster_start_taskmanager tm-2 5
cluster_wait 1 "registered" tm-1.log 100 && cluster_wait 1 "registered" tm-2.log 100
"$fjord" submit -c fjord.yaml "$root/examples/jobs/exactly_once_sum.json" --no-progress \
  --set numbers.to="$records" --set numbers.rate_per_subtask=0 --set "out.output_dir=$work/out" \
  > submit.out 2>&1
grep -q FINISHED submit.out || { echo "the job did not finish: $(tail -3 submit.out)" >&2; exit 1; }
jm=$(python3 "$root/scripts/socket_bytes.py" "$(cat jm.pid)")
link=$(python3 "$root/scripts/socket_bytes.py" "$(cat tm-1.pid)" "$(cat tm-2.pid)")
"$build/check_exactly_once_sum" --spec "$root/examples/jobs/exactly_once_sum.json" \
  --set numbers.to="$records" --set "out.output_dir=$work/out" > /dev/null \
  || { echo "WRONG OUTPUT" >&2; exit 1; }
echo "records $records: JobManager sockets $jm bytes, TaskManager-to-TaskManager $link bytes," \
  "JobManager share $(awk -v a="$jm" -v b="$link" 'BEGIN { printf "%.3f%%", 100 * a / b }'); output verified"
