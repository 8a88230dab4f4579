# Functions for scripts and process tests that run a local Fjord cluster: a throwaway ZooKeeper,
# JobManager and TaskManager processes, and cleanup of everything on exit. Source it after
# setting: root (repo), fjord (binary), work (an empty directory, the current directory).
cluster_pids=()

cluster_cleanup() {
  exec 2>/dev/null  # no "Killed" notices from the shell
  for p in "${cluster_pids[@]}"; do kill -9 "$p" || true; wait "$p" || true; done
  "$root/scripts/zookeeper.sh" stop "$work/zk" >/dev/null || true
}

# cluster_start_zookeeper SESSION_TIMEOUT_MS: starts ZooKeeper, writes fjord.yaml.
cluster_start_zookeeper() {
  local port
  port=$("$root/scripts/zookeeper.sh" start "$work/zk" | tail -1)
  cat > "$work/fjord.yaml" <<CONF
recovery.mode: zookeeper
recovery.zookeeper.quorum: 127.0.0.1:$port
recovery.zookeeper.storageDir: $work/recovery
recovery.zookeeper.client.session-timeout: $1
CONF
  echo "$port"
}

# cluster_enable_tls NAME...: mutual TLS for the cluster (after cluster_start_zookeeper): a CA
# and a certificate per NAME under $work/pki (scripts/make-certs.sh), and one for clients, which
# fjord.yaml names; processes started under a NAME then use their own certificate.
cluster_enable_tls() {
  "$root/scripts/make-certs.sh" "$work/pki" "$@" client > /dev/null
  cat >> "$work/fjord.yaml" <<CONF
security.ssl.enabled: true
security.ssl.cafile: $work/pki/ca.pem
security.ssl.certificate: $work/pki/client.pem
security.ssl.key: $work/pki/client.key
CONF
}

# cluster_tls_args NAME: the -D overrides for NAME's own certificate, if cluster_enable_tls made one
cluster_tls_args() {
  [ -f "$work/pki/$1.pem" ] || return 0
  echo "-D security.ssl.certificate=$work/pki/$1.pem -D security.ssl.key=$work/pki/$1.key"
}

# cluster_start_jobmanager NAME: log NAME.log, pid NAME.pid
cluster_start_jobmanager() {
  # shellcheck disable=SC2046
  "$fjord" jobmanager -c "$work/fjord.yaml" $(cluster_tls_args "$1") > "$work/$1.log" 2>&1 &
  cluster_pids+=($!); echo $! > "$work/$1.pid"
}

# cluster_start_taskmanager NAME SLOTS
cluster_start_taskmanager() {
  # shellcheck disable=SC2046
  "$fjord" taskmanager -c "$work/fjord.yaml" $(cluster_tls_args "$1") --slots "$2" --id "$1" \
    > "$work/$1.log" 2>&1 &
  cluster_pids+=($!); echo $! > "$work/$1.pid"
}

# cluster_kill NAME: SIGKILL and reap
cluster_kill() {
  local pid
  pid=$(cat "$work/$1.pid")
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
}

# cluster_leader: the log file of the JobManager that was elected last
cluster_leader() {
  grep -l "leader elected" "$work"/jm*.log 2>/dev/null | xargs -r ls -t | head -1
}

# cluster_wait COUNT PATTERN FILE [TENTHS]: waits until PATTERN occurs COUNT times in FILE
cluster_wait() {
  local tries=${4:-300}
  for _ in $(seq "$tries"); do
    local n
    n=$(grep -c -- "$2" "$3" 2>/dev/null || true)
    [ "${n:-0}" -ge "$1" ] && return 0
    sleep 0.1
  done
  return 1
}

# cluster_seconds_since HH:MM:SS.fff PATTERN FILE: seconds from the time to the first log line
# of FILE matching PATTERN (log lines start with HH:MM:SS.mmm); same day assumed
cluster_seconds_since() {
  local from to
  from=$(echo "$1" | awk -F: '{ printf "%.3f", $1 * 3600 + $2 * 60 + $3 }')
  to=$(grep -m1 -- "$2" "$3" | cut -c1-12 | awk -F: '{ printf "%.3f", $1 * 3600 + $2 * 60 + $3 }')
  [ -n "$to" ] && awk -v a="$from" -v b="$to" 'BEGIN { printf "%.3f\n", b - a }'
}

# cluster_freeze NAME / cluster_thaw NAME: SIGSTOP / SIGCONT (a hung process, not a dead one)
cluster_freeze() { kill -STOP "$(cat "$work/$1.pid")"; }
cluster_thaw() { kill -CONT "$(cat "$work/$1.pid")"; }

# cluster_alive NAME: true while the process runs (frozen counts as running)
cluster_alive() { kill -0 "$(cat "$work/$1.pid")" 2>/dev/null; }
