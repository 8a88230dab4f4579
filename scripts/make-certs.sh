#!/usr/bin/env bash
# make-certs.sh DIR [NAME...]: a certificate authority for one Fjord cluster, and a certificate
# with its key for each NAME (default: jobmanager taskmanager client), made with the openssl CLI.
#
#   DIR/ca.pem  DIR/ca.key          the cluster's CA (made once; kept if DIR already has one)
#   DIR/NAME.pem DIR/NAME.key       a node certificate signed by it, for both TLS roles
#
# Give every process its own NAME and point it at its files:
#   security.ssl.enabled: true
#   security.ssl.certificate: DIR/NAME.pem
#   security.ssl.key: DIR/NAME.key
#   security.ssl.cafile: DIR/ca.pem
# Keys are written 0600 and DIR is 0700; ca.key signs new members, so keep it off the cluster's
# hosts in production. FJORD_CERT_DAYS sets the validity of node certificates (default 825).
set -euo pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  echo "usage: make-certs.sh DIR [NAME...]   (NAME: letters, digits, '.', '_', '-')" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "make-certs.sh: the openssl CLI is missing (apt-get install openssl)" >&2; exit 1; }
dir=$1
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(jobmanager taskmanager client)
for n in "${names[@]}"; do
  [[ "$n" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "make-certs.sh: '$n' is not a valid name" >&2; exit 2; }
  [ "$n" != ca ] || { echo "make-certs.sh: 'ca' is the CA's own name" >&2; exit 2; }
done
days=${FJORD_CERT_DAYS:-825}

umask 077
mkdir -p "$dir"
chmod 700 "$dir"
if [ ! -f "$dir/ca.pem" ] || [ ! -f "$dir/ca.key" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$dir/ca.key" \
    -out "$dir/ca.pem" -subj "/CN=Fjord cluster CA $(basename "$(cd "$dir" && pwd)")" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>/dev/null
  echo "make-certs.sh: new CA $dir/ca.pem"
fi
ext=$(mktemp)
trap 'rm -f "$ext" "$dir"/*.csr' EXIT
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n' >"$ext"
for n in "${names[@]}"; do
  openssl req -newkey rsa:2048 -nodes -keyout "$dir/$n.key" -out "$dir/$n.csr" -subj "/CN=$n" \
    2>/dev/null
  openssl x509 -req -sha256 -in "$dir/$n.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -CAcreateserial -days "$days" -extfile "$ext" -out "$dir/$n.pem" 2>/dev/null
  openssl verify -CAfile "$dir/ca.pem" "$dir/$n.pem" >/dev/null
  echo "make-certs.sh: $dir/$n.pem (key $dir/$n.key)"
done
