#!/usr/bin/env bash
# Installs the Debian packages Fjord needs, and only those that are missing, so a warm machine
# pays nothing. Idempotent. Must run as root (or with sudo available) when something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build ccache
  # libraries
  libcaf-dev libzookeeper-mt-dev libcereal-dev libfmt-dev doctest-dev
  libspdlog-dev libcli11-dev nlohmann-json3-dev libyaml-cpp-dev libssl-dev
  # a real ZooKeeper server for tests and demos, and tools the scripts use
  zookeeper netcat-openbsd procps python3
  # the openssl CLI: scripts/make-certs.sh and the TLS tests
  openssl
  # network namespaces as test hosts, partitions (nft), socket byte counts (ss)
  iproute2 nftables
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >/dev/null
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
