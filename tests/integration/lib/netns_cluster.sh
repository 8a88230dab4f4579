# The common start of a process test on test hosts (network namespaces, scripts/netns-hosts.sh):
# source it after lib/cluster_test.sh. netns_cluster_up N makes hosts h1..hN (skips the test,
# exit 77, where namespaces cannot be made), starts ZooKeeper on h1 and writes fjord.yaml;
# netns_start runs a JobManager or TaskManager on a host, announcing that host's address.
hosts=$root/scripts/netns-hosts.sh
export FJORD_NETNS_PREFIX=fj$$
on() { "$hosts" exec "$@"; }
stamp() { date +%H:%M:%S.%3N; }

# netns_cluster_up N SESSION_TIMEOUT_MS
netns_cluster_up() {
  if ! "$hosts" up "$1" > hosts.out 2>&1; then
    echo "SKIP: no network namespaces here: $(cat hosts.out)"
    exit 77
  fi
  trap '"$hosts" down >/dev/null 2>&1; cluster_cleanup; [ -n "${FJORD_KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
  zk_port=$(on h1 env ZK_OWNER_PID=$$ ZK_ADDRESS=198.18.0.1 "$root/scripts/zookeeper.sh" start "$work/zk" | tail -1)
  cat > fjord.yaml <<CONF
recovery.mode: zookeeper
recovery.zookeeper.quorum: 198.18.0.1:$zk_port
recovery.zookeeper.storageDir: $work/recovery
recovery.zookeeper.client.session-timeout: $2
CONF
}

# netns_start NAME HOST jobmanager|taskmanager [ARGS...]: log NAME.log, pid NAME.pid
netns_start() {
  local name=$1 host=$2 role=$3 addr
  shift 3
  addr=$("$hosts" addr "$host")
  if [ "$role" = jobmanager ]; then
    on "$host" "$fjord" jobmanager -c fjord.yaml -D "jobmanager.host=$addr" "$@" > "$name.log" 2>&1 &
  else
    on "$host" "$fjord" taskmanager -c fjord.yaml -D "taskmanager.host=$addr" --id "$name" "$@" \
      > "$name.log" 2>&1 &
  fi
  cluster_pids+=($!)
  echo $! > "$name.pid"
}

# netns_submit OUT_DIR RECORDS RATE: the example job from $client_host (default h1; following
# it at most $follow_timeout s, default 120), in the
# background ($submit); sets $job to its short id once submitted
netns_submit() {
  on "${client_host:-h1}" "$fjord" submit -c fjord.yaml "$spec" --no-progress \
    --follow-timeout "${follow_timeout:-120}" \
    --set numbers.to="$2" --set numbers.rate_per_subtask="$3" \
    --set "out.output_dir=$1" > submit.out 2>&1 &
  submit=$!
  cluster_wait 1 "." submit.out 100 || fail "the job was not submitted"
  job=$(head -1 submit.out | cut -c1-8)
}

# netns_finish OUT_DIR RECORDS: waits for the job; FINISHED and exactly once, or fail
netns_finish() {
  local rc=0 verdict
  wait "$submit" || rc=$?
  [ $rc -eq 0 ] && grep -q FINISHED submit.out || fail "the job did not finish: rc=$rc $(tail -3 submit.out)"
  verdict=$(check_sum "$1" --set numbers.to="$2") || fail "output not exactly once: $verdict"
  echo "ok - the job finished, exactly once ($verdict)"
}
