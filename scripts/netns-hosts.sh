#!/usr/bin/env bash
# Test hosts on one machine: network namespaces joined by veth pairs to a bridge, one address
# each in 198.18.0.0/24 (RFC 2544's benchmarking range), no default route, nothing reachable
# beyond them. The bridge lives in a namespace of its own, so the machine's own interfaces and
# routes are never touched. Needs root.
#
#   netns-hosts.sh up N              hosts h1..hN at 198.18.0.1..N (refuses if the range is routed)
#   netns-hosts.sh down              kills every process in them, removes them
#   netns-hosts.sh exec HOST CMD...  runs CMD on HOST (h1, h2, ...)
#   netns-hosts.sh addr HOST         prints HOST's address
#   netns-hosts.sh cut HOST          the nemesis: HOST loses every link (its bridge port down)
#   netns-hosts.sh cut HOST OTHER [--one-way]
#                                    HOST's packets to OTHER are dropped (and OTHER's to HOST,
#                                    unless --one-way); both still reach everyone else
#   netns-hosts.sh heal [HOST]       undoes every cut (or every cut of HOST)
#   netns-hosts.sh list              the hosts and their cuts
#
# FJORD_NETNS_PREFIX (default "fjord") names the namespaces: PREFIX-sw (the bridge), PREFIX-h1...
set -euo pipefail

prefix=${FJORD_NETNS_PREFIX:-fjord}
switch=$prefix-sw
subnet=198.18.0

die() { echo "netns-hosts: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"; }
host_ns() {
  [[ "$1" =~ ^h[0-9]+$ ]] || die "no such host '$1' (hosts are h1, h2, ...)"
  ip netns list | awk '{print $1}' | grep -qx "$prefix-$1" || die "host $1 is not up"
  echo "$prefix-$1"
}
host_addr() { echo "$subnet.${1#h}"; }

hosts_up() {
  local n=${1:-}
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 250 ] || die "up N: N from 1 to 250"
  need_root
  ip netns list | awk '{print $1}' | grep -qx "$switch" && die "hosts are up already (down first)"
  if ip route show | grep -q "^$subnet\.\|^198\.18\.0\.0/"; then
    die "$subnet.0/24 is routed on this machine already: refusing to shadow it"
  fi
  ip netns add "$switch"
  trap 'hosts_down >/dev/null 2>&1 || true' ERR
  ip -n "$switch" link set lo up
  ip -n "$switch" link add br0 type bridge
  ip -n "$switch" link set br0 up
  for i in $(seq 1 "$n"); do
    local ns=$prefix-h$i
    ip netns add "$ns"
    ip -n "$switch" link add "h$i" type veth peer name eth0 netns "$ns"
    ip -n "$switch" link set "h$i" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$subnet.$i/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
  trap - ERR
  echo "up: $n host(s), h1..h$n at $subnet.1..$subnet.$n"
}

hosts_down() {
  need_root
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
    # A namespace with a live process outlives its name: kill them first.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns"
  done
  echo "down"
}

cut_links() {
  need_root
  local host=$1 other=${2:-} way=${3:-}
  host_ns "$host" >/dev/null
  if [ -z "$other" ]; then
    ip -n "$switch" link set "$host" down
    echo "cut: $host is off the network"
    return
  fi
  host_ns "$other" >/dev/null
  # A bridge-family drop in the switch, for IP only (dropping ARP too would turn a one-way cut
  # into a two-way one).
  ip netns exec "$switch" nft add table bridge cuts 2>/dev/null || true
  ip netns exec "$switch" nft 'add chain bridge cuts forward { type filter hook forward priority 0; policy accept; }' 2>/dev/null || true
  ip netns exec "$switch" nft add rule bridge cuts forward iifname "$host" oifname "$other" ether type ip drop comment "\"$host-$other\""
  if [ "$way" != "--one-way" ]; then
    ip netns exec "$switch" nft add rule bridge cuts forward iifname "$other" oifname "$host" ether type ip drop comment "\"$other-$host\""
    echo "cut: $host and $other cannot reach each other"
  else
    echo "cut: $host cannot reach $other ($other still reaches $host's address; replies are lost)"
  fi
}

heal_links() {
  need_root
  local host=${1:-} port
  for port in $(ip -n "$switch" -o link show master br0 | awk -F': ' '{print $2}' | cut -d@ -f1); do
    [ -z "$host" ] || [ "$port" = "$host" ] && ip -n "$switch" link set "$port" up
  done
  if ip netns exec "$switch" nft list table bridge cuts >/dev/null 2>&1; then
    if [ -z "$host" ]; then
      ip netns exec "$switch" nft delete table bridge cuts
    else
      ip netns exec "$switch" nft -a list chain bridge cuts forward \
        | grep -E "comment \"($host-|[^\"]*-$host\")" | sed -n 's/.*# handle \([0-9]*\)/\1/p' \
        | while read -r handle; do
            ip netns exec "$switch" nft delete rule bridge cuts forward handle "$handle"
          done
    fi
  fi
  echo "healed${host:+ $host}"
}

list_hosts() {
  ip netns list | awk '{print $1}' | grep "^$prefix-h" | sort -V | while read -r ns; do
    local h=${ns#"$prefix"-}
    local state
    state=$(ip -n "$switch" -o link show "$h" | grep -q "state UP\|LOWER_UP" && echo up || echo cut)
    echo "$h $(host_addr "$h") $state"
  done
  ip netns exec "$switch" nft list table bridge cuts 2>/dev/null | grep comment | sed 's/^\s*/  /' || true
}

case "${1:-}" in
  up) hosts_up "${2:-}" ;;
  down) hosts_down ;;
  exec)
    [ $# -ge 3 ] || die "exec HOST CMD..."
    ns=$(host_ns "$2"); shift 2
    exec ip netns exec "$ns" "$@" ;;
  addr) host_ns "${2:-}" >/dev/null; host_addr "$2" ;;
  cut) [ $# -ge 2 ] || die "cut HOST [OTHER [--one-way]]"; cut_links "$2" "${3:-}" "${4:-}" ;;
  heal) heal_links "${2:-}" ;;
  list) list_hosts ;;
  *) die "usage: up N | down | exec HOST CMD... | addr HOST | cut HOST [OTHER [--one-way]] | heal [HOST] | list" ;;
esac
