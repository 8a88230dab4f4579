#!/usr/bin/env bash
# Failover time when the leader is partitioned, not killed (issue 12): test hosts in network
# namespaces (scripts/netns-hosts.sh; root), ZooKeeper on h1, JobManagers on h2 and h3. Each run
# starts both JobManagers (h2 elected first), cuts h2 off from h1 and h3, and measures from the
# cut to (a) the old leader's "leadership revoked" (it stops acting) and (b) the standby's
# "leader elected"; then heals and stops both. Prints every run and the median and max, against
# the session timeout.
#
#   bench/partition_failover_bench.sh [BUILD_DIR] [RUNS] [SESSION_TIMEOUT_MS]
#                                                        (default: build 10 2000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
runs=${2:-10}
timeout_ms=${3:-2000}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
fjord=$build/fjord
[ -x "$fjord" ] || { echo "partition_failover_bench.sh: $fjord not found; build it first" >&2; exit 2; }
hosts=$root/scripts/netns-hosts.sh
export FJORD_NETNS_PREFIX=fjbench$$
work=$(mktemp -d /tmp/fjord-partition.XXXXXX)
cd "$work"
cluster_pids=()
source "$root/scripts/cluster_lib.sh"
trap '"$hosts" down >/dev/null 2>&1; cluster_cleanup; rm -rf "$work"' EXIT
"$hosts" up 3 > /dev/null
zk_port=$("$hosts" exec h1 env ZK_OWNER_PID=$$ ZK_ADDRESS=198.18.0.1 "$root/scripts/zookeeper.sh" start "$work/zk" | tail -1)
cat > fjord.yaml <<CONF
recovery.mode: zookeeper
recovery.zookeeper.quorum: 198.18.0.1:$zk_port
recovery.zookeeper.storageDir: $work/recovery
recovery.zookeeper.client.session-timeout: $timeout_ms
CONF
seconds() { echo "$1" | awk -F: '{ printf "%.3f", $1 * 3600 + $2 * 60 + $3 }'; }

revoked=()
elected=()
for run in $(seq 1 "$runs"); do
  rm -f jm-a.log jm-b.log
  "$hosts" exec h2 "$fjord" jobmanager -c fjord.yaml -D jobmanager.host=198.18.0.2 > jm-a.log 2>&1 &
  a=$!
  cluster_wait 1 "leader elected" jm-a.log 300 || { echo "run $run: jm-a not elected" >&2; exit 1; }
  "$hosts" exec h3 "$fjord" jobmanager -c fjord.yaml -D jobmanager.host=198.18.0.3 > jm-b.log 2>&1 &
  b=$!
  cluster_wait 1 "job manager listening" jm-b.log 300 || { echo "run $run: jm-b did not start" >&2; exit 1; }
  sleep 1  # the standby contends
  cut_at=$(date +%H:%M:%S.%3N)
  "$hosts" cut h2 h1 > /dev/null
  "$hosts" cut h2 h3 > /dev/null
  cluster_wait 1 "leader elected" jm-b.log 300 || { echo "run $run: jm-b not elected" >&2; exit 1; }
  cluster_wait 1 "leadership revoked" jm-a.log 300 || { echo "run $run: jm-a kept leading" >&2; exit 1; }
  t0=$(seconds "$cut_at")
  r=$(awk -v a="$t0" -v b="$(seconds "$(grep -m1 "leadership revoked" jm-a.log | cut -c1-12)")" 'BEGIN { printf "%.3f", b - a }')
  e=$(awk -v a="$t0" -v b="$(seconds "$(grep -m1 "leader elected" jm-b.log | cut -c1-12)")" 'BEGIN { printf "%.3f", b - a }')
  revoked+=("$r")
  elected+=("$e")
  echo "run $run: old leader stopped acting after $r s, standby elected after $e s"
  "$hosts" heal > /dev/null
  kill -9 $a $b 2>/dev/null || true
  wait $a $b 2>/dev/null || true
done
stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median %.3f s, max %.3f s", m, v[NR] }'; }
echo "session timeout $((timeout_ms / 1000)).$(printf '%03d' $((timeout_ms % 1000))) s, $runs runs:"
echo "  old leader stops acting: $(stats "${revoked[@]}")"
echo "  standby elected:         $(stats "${elected[@]}")"
