#!/usr/bin/env bash
# Runs Debian's ZooKeeper (java QuorumPeerMain) on 127.0.0.1 (or on ZK_ADDRESS, e.g. a test
# host's 198.18.0.1 inside its network namespace) without systemd, for tests and for trying
# Fjord's high-availability mode on one machine.
#
#   scripts/zookeeper.sh start  DIR [PORT]   start (or restart on the data already in DIR);
#                                            PORT 0/absent: the port DIR used before, else a
#                                            free one. Prints the port once `ruok` says imok.
#   scripts/zookeeper.sh stop   DIR          SIGTERM, then SIGKILL after 10 s; waits.
#   scripts/zookeeper.sh status DIR          prints "running <port>" or "stopped".
#
# DIR holds conf/, data/, zookeeper.pid, port and zookeeper.log. The tick is short (100 ms)
# so that tests can use sub-second sessions (minSessionTimeout 200 ms); maxSessionTimeout is
# 60 s so that the production default still negotiates. forceSync=no: for tests only.
# If ZK_OWNER_PID is set, the server is stopped when that process exits (tests that crash
# leave no server behind).
set -euo pipefail

die() { echo "zookeeper.sh: $*" >&2; exit 1; }

usage() { die "usage: zookeeper.sh start|stop|status DIR [PORT]"; }

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
port_arg=${3:-0}
[[ "$port_arg" =~ ^[0-9]+$ ]] && [ "$port_arg" -le 65535 ] ||
  die "PORT must be 0..65535, got '$port_arg'"

JARS=/usr/share/java
ADDRESS=${ZK_ADDRESS:-127.0.0.1}
[[ "$ADDRESS" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "ZK_ADDRESS must be an IPv4 address, got '$ADDRESS'"
TICK_MS=100
START_TIMEOUT_S=${ZK_START_TIMEOUT_S:-30}

pid_of() { [ -f "$dir/zookeeper.pid" ] && cat "$dir/zookeeper.pid" || true; }

# A zombie (exited, not yet reaped by init) counts as gone.
alive() {
  kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]
}

is_running() {
  local pid
  pid=$(pid_of)
  [ -n "$pid" ] && alive "$pid"
}

# True if something accepts connections on $ADDRESS:$1.
port_in_use() { (exec 3<>"/dev/tcp/$ADDRESS/$1") 2>/dev/null; }

pick_free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  die "no free port found on $ADDRESS"
}

four_letter() { echo "$1" | timeout 2 nc -w1 "$ADDRESS" "$2" 2>/dev/null || true; }

# `ruok` answers imok as soon as the process listens; `srvr` tells when it also serves.
serving() {
  [ "$(four_letter ruok "$1")" = imok ] && four_letter srvr "$1" | grep -q '^Mode: '
}

stop_server() {
  local pid i
  pid=$(pid_of)
  if [ -n "$pid" ] && alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    kill -CONT "$pid" 2>/dev/null || true  # a paused (SIGSTOP) server must see the signal
    for i in $(seq 1 100); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 1 50); do
        alive "$pid" || break
        sleep 0.1
      done
    fi
    alive "$pid" && die "could not stop ZooKeeper (pid $pid)"
  fi
  rm -f "$dir/zookeeper.pid"
  if [ -f "$dir/watchdog.pid" ]; then
    kill "$(cat "$dir/watchdog.pid")" 2>/dev/null || true
    rm -f "$dir/watchdog.pid"
  fi
}

start_server() {
  command -v java >/dev/null || die "java not found: install a JRE (scripts/install-deps.sh)"
  command -v nc >/dev/null || die "nc not found: install netcat-openbsd"
  [ -f "$JARS/zookeeper.jar" ] || die "$JARS/zookeeper.jar not found: install the zookeeper package"
  mkdir -p "$dir/conf" "$dir/data"
  dir=$(cd "$dir" && pwd)

  if is_running; then
    [ -f "$dir/port" ] || die "a server runs from $dir (pid $(pid_of)) but $dir/port is missing"
    echo "$(cat "$dir/port")"
    return 0
  fi

  local port=$port_arg
  if [ "$port" = 0 ] && [ -f "$dir/port" ]; then
    port=$(cat "$dir/port")  # restart on the same data and the same address
    port_in_use "$port" &&
      die "port $port on $ADDRESS (used by $dir before) is busy; pass another PORT"
  fi
  if [ "$port" = 0 ]; then
    port=$(pick_free_port)
  elif port_in_use "$port"; then
    die "port $port on $ADDRESS is busy (another ZooKeeper?); pick another PORT or 0"
  fi

  cat > "$dir/conf/zoo.cfg" <<CFG
tickTime=$TICK_MS
initLimit=10
syncLimit=5
dataDir=$dir/data
clientPort=$port
clientPortAddress=$ADDRESS
minSessionTimeout=$((2 * TICK_MS))
maxSessionTimeout=60000
maxClientCnxns=0
4lw.commands.whitelist=*
admin.enableServer=false
forceSync=no
CFG
  cat > "$dir/conf/log4j.properties" <<LOG
log4j.rootLogger=INFO, FILE
log4j.appender.FILE=org.apache.log4j.FileAppender
log4j.appender.FILE.File=$dir/zookeeper.log
log4j.appender.FILE.layout=org.apache.log4j.PatternLayout
log4j.appender.FILE.layout.ConversionPattern=%d{ISO8601} %-5p [%t] %c{1}: %m%n
LOG
  echo "$port" > "$dir/port"

  local cp="$dir/conf:$JARS/zookeeper.jar:$JARS/slf4j-log4j12.jar:$JARS/log4j-1.2.jar"
  # setsid: the server must not get the terminal's or the test's signals (Ctrl-C, process group).
  setsid nohup java -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -Dlog4j.configuration="file:$dir/conf/log4j.properties" \
    -Dzookeeper.jmx.log4j.disable=true \
    -cp "$cp" org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/conf/zoo.cfg" \
    > "$dir/stdout.log" 2>&1 < /dev/null &
  local pid=$!
  echo "$pid" > "$dir/zookeeper.pid"

  if [ -n "${ZK_OWNER_PID:-}" ]; then
    (
      while kill -0 "$ZK_OWNER_PID" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done
      kill -CONT "$pid" 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
    ) > /dev/null 2>&1 < /dev/null &
    echo $! > "$dir/watchdog.pid"
    disown || true
  fi

  local deadline=$((SECONDS + START_TIMEOUT_S))
  until serving "$port"; do
    if ! alive "$pid"; then
      rm -f "$dir/zookeeper.pid"
      local last status=0
      wait "$pid" 2>/dev/null || status=$?
      last=$(tail -n 3 "$dir/stdout.log" 2>/dev/null | tr '\n' ' ')
      if [ "$status" -gt 128 ]; then
        last="killed by signal $((status - 128)) $last"
      else
        last="exit status $status $last"
      fi
      die "ZooKeeper exited during start-up (see $dir/zookeeper.log): $last"
    fi
    if [ $SECONDS -ge $deadline ]; then
      stop_server
      die "ZooKeeper did not answer on $ADDRESS:$port within ${START_TIMEOUT_S} s;" \
        "see $dir/zookeeper.log"
    fi
    sleep 0.05
  done
  echo "$port"
}

case "$cmd" in
  start)
    start_server
    ;;
  stop)
    [ -d "$dir" ] || die "no such directory: $dir"
    stop_server
    echo stopped
    ;;
  status)
    if [ -d "$dir" ] && is_running; then
      echo "running $(cat "$dir/port" 2>/dev/null || echo '?')"
    else
      echo stopped
    fi
    ;;
  *)
    usage
    ;;
esac
