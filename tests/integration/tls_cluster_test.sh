#!/usr/bin/env bash
# Real processes, mutual TLS (security.ssl.*): a JobManager and two TaskManagers with
# certificates from the cluster's CA run the example job exactly once, their TaskManager data
# link included. Strangers are refused during the TLS handshake, before a BASP byte is read: a
# 32-byte BASP header claiming 1 GiB (three connections) leaves the JobManager's and a
# TaskManager's memory where it was — the same probe grows a plain JobManager by what it claims,
# so the check can fail; a plain client, a client and a TaskManager with a certificate from
# another CA and openssl s_client without a certificate are refused; the right client works.
# Bad TLS settings (anonymous TLS, a wrong key password, a key of another certificate, a
# certificate of another CA, a missing file) stop a process at start with one line, exit 2.
source "$FJORD_SOURCE_DIR/tests/integration/lib/cluster_test.sh"
source "$FJORD_SOURCE_DIR/tests/integration/lib/expect.sh"
probe="$root/tests/tools/basp_header_probe.py"

cluster_start_zookeeper 4000 > /dev/null
"$root/scripts/make-certs.sh" "$work/pki" jm1 tm-1 tm-2 client > /dev/null
"$root/scripts/make-certs.sh" "$work/rogue" intruder > /dev/null

# node_config NAME CERT_DIR [CAFILE]: fjord.yaml plus TLS with CERT_DIR/NAME.{pem,key}
node_config() {
  { cat fjord.yaml
    echo "security.ssl.enabled: true"
    echo "security.ssl.certificate: $2/$1.pem"
    echo "security.ssl.key: $2/$1.key"
    echo "security.ssl.cafile: ${3:-$work/pki/ca.pem}"
  } > "$1.yaml"
}
for n in jm1 tm-1 tm-2 client; do node_config "$n" "$work/pki"; done
node_config intruder "$work/rogue" "$work/rogue/ca.pem"         # trusts only its own CA

"$fjord" jobmanager -c jm1.yaml > jm1.log 2>&1 &
cluster_pids+=($!); echo $! > jm1.pid
for n in tm-1 tm-2; do
  "$fjord" taskmanager -c "$n.yaml" --slots 2 --id "$n" > "$n.log" 2>&1 &
  cluster_pids+=($!); echo $! > "$n.pid"
done
cluster_wait 2 "registered (2 slots)" jm1.log || fail "task managers did not register over TLS"
grep -q "mutual TLS" jm1.log && pass "the JobManager listens with mutual TLS" \
  || count_failure "the JobManager does not say it listens with TLS"
if grep -q "accepts anyone" jm1.log tm-1.log; then
  count_failure "a TLS process warned that it accepts anyone"
else
  pass "no plaintext warning with TLS"
fi
jm_port=$(grep -m1 -o "listening on 127.0.0.1:[0-9]*" jm1.log | grep -o "[0-9]*$")
tm_port=$(grep -m1 -o "data endpoint 127.0.0.1:[0-9]*" tm-1.log | grep -o "[0-9]*$")
[ -n "$jm_port" ] && [ -n "$tm_port" ] || fail "no JobManager or data port in the logs"

# --- the job, over TLS, with tasks on both TaskManagers
"$fjord" submit -c client.yaml "$spec" --no-progress --follow-timeout 120 \
  --set numbers.rate_per_subtask=20000 --set "out.output_dir=$work/out" > submit.out 2>&1 &
submit=$!
cluster_wait 2 "checkpoint .* completed" jm1.log || fail "no checkpoint over TLS"

"$fjord" list -c client.yaml --timeout 10 > list.out 2>&1 && grep -q RUNNING list.out \
  && pass "the cluster's client lists the running job" || count_failure "fjord list: $(cat list.out)"

# The TaskManagers exchange records over their own link (TLS: their data ports speak nothing
# else, as the probes below show), not through the JobManager.
tm2_port=$(grep -m1 -o "data endpoint 127.0.0.1:[0-9]*" tm-2.log | grep -o "[0-9]*$")
links=$(ss -Htn state established "( sport = :$tm_port or sport = :$tm2_port )" | wc -l)
[ "$links" -ge 1 ] && pass "the TaskManagers are linked directly ($links connection(s) on a data port)" \
  || count_failure "no connection on a TaskManager data port"

# --- strangers, while the job runs (what jm1.log says from here on is what they may have caused)
strangers_from=$(wc -l < jm1.log)
# s_client speaks TLS but shows no certificate, then one of another CA; then ours.
# (TLS 1.3 refuses a client certificate after the client's side of the handshake: stay 1 s to
# read the server's alert.)
s_client() { sleep 1 | timeout 10 openssl s_client -connect "127.0.0.1:$jm_port" -CAfile "$work/pki/ca.pem" "$@" 2>&1; }
out=$(s_client)
echo "$out" | grep -q "alert certificate required" && pass "s_client without a certificate: alert certificate required" \
  || count_failure "s_client without a certificate was not refused: $(echo "$out" | tail -3)"
out=$(s_client -cert "$work/rogue/intruder.pem" -key "$work/rogue/intruder.key")
echo "$out" | grep -q "alert unknown ca" && pass "s_client with a certificate of another CA: alert unknown ca" \
  || count_failure "s_client with another CA's certificate was not refused: $(echo "$out" | tail -3)"
out=$(s_client -cert "$work/pki/client.pem" -key "$work/pki/client.key")
echo "$out" | grep -q "Verify return code: 0 (ok)" && pass "s_client with the cluster's certificate: handshake ok" \
  || count_failure "s_client with the cluster's certificate failed: $(echo "$out" | tail -3)"

# The 32-byte bomb, 3 connections claiming 1 GiB each, at the JobManager and a data endpoint.
for target in "jm1 $jm_port" "tm-1 $tm_port"; do
  set -- $target
  line=$(python3 "$probe" "$2" "$(cat "$1.pid")" 1024 3)
  echo "$1: $line"
  before=$(echo "$line" | sed 's/.*peak_before_mib=\([0-9]*\).*/\1/')
  after=$(echo "$line" | sed 's/.*peak_after_mib=\([0-9]*\).*/\1/')
  greeting=$(echo "$line" | sed 's/.*greeting=\([0-9]*\).*/\1/')
  [ $((after - before)) -lt 64 ] && pass "$1: 3 x 1 GiB BASP headers: peak RSS $before -> $after MiB" \
    || count_failure "$1: peak RSS grew from $before to $after MiB"
  [ "$greeting" -eq 0 ] && pass "$1: no cleartext greeting before the TLS handshake" \
    || count_failure "$1: sent $greeting bytes to a stranger before any handshake"
done

expect_error "a plain client is refused" 1 "" -- "$fjord" list -c fjord.yaml --timeout 4
expect_error "a client with another CA's certificate is refused" 1 "" -- \
  "$fjord" list -c intruder.yaml --timeout 4
"$fjord" taskmanager -c intruder.yaml --slots 8 --id tm-intruder > tm-intruder.log 2>&1 &
cluster_pids+=($!); echo $! > tm-intruder.pid

rc=0
wait "$submit" || rc=$?
tail -3 submit.out
[ $rc -eq 0 ] && pass "the job finished over TLS" || count_failure "the job did not finish (exit $rc)"
check_sum "$work/out" && pass "exactly once over TLS" || count_failure "output not exactly once"
grep -q "tm-intruder registered" jm1.log && count_failure "a TaskManager of another CA registered" \
  || pass "a TaskManager with another CA's certificate never registered"
cluster_alive tm-intruder && pass "the refused TaskManager keeps retrying (no crash)" \
  || count_failure "the refused TaskManager died: $(tail -2 tm-intruder.log)"
cluster_alive jm1 && pass "the JobManager survived every stranger" || count_failure "the JobManager died"
# Each refused handshake left an error in OpenSSL's queue, which CAF took for a failure of the
# next connection read on that thread (actors/tls_error_queue.cpp): no peer may be lost.
# (A restart before the strangers came, e.g. a peer link that timed out on a loaded machine, is
# not theirs; it is shown, and the job must still end exactly once.)
head -n "$strangers_from" jm1.log | grep "restarting from" | sed "s/^/  before the strangers: /" | head -3
after=$(tail -n +"$((strangers_from + 1))" jm1.log)
if grep -q "lost:" jm1.log || echo "$after" | grep -q "restarting from"; then
  count_failure "strangers cost the cluster a TaskManager or a restart: $(grep -m2 "lost:\|restarting from" jm1.log)"
else
  pass "no TaskManager was lost and the job did not restart while strangers were refused"
fi
# --- the control: the same probe grows a plain JobManager by what it claims
plain_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$fjord" jobmanager -D recovery.mode=standalone -D "jobmanager.address=127.0.0.1:$plain_port" \
  > plain.log 2>&1 &
cluster_pids+=($!); echo $! > plain.pid
cluster_wait 1 "listening on" plain.log || fail "the plain JobManager did not start"
[ "$(grep -c "accepts anyone" plain.log)" -eq 1 ] && pass "a plain JobManager warns once that it accepts anyone" \
  || count_failure "no single plaintext warning: $(grep -c "accepts anyone" plain.log)"
line=$(python3 "$probe" "$plain_port" "$(cat plain.pid)" 1024 1)
echo "plain: $line"
before=$(echo "$line" | sed 's/.*peak_before_mib=\([0-9]*\).*/\1/')
after=$(echo "$line" | sed 's/.*peak_after_mib=\([0-9]*\).*/\1/')
[ $((after - before)) -ge 512 ] && pass "control: a plain JobManager's peak RSS grew $before -> $after MiB" \
  || count_failure "control: the probe did not grow a plain JobManager ($before -> $after MiB)"

# --- bad TLS settings: one line, exit 2, never a hang
openssl pkcs8 -topk8 -in "$work/pki/client.key" -out "$work/pki/client-enc.key" \
  -passout pass:right-password -v2 aes-256-cbc 2>/dev/null
variant() {  # variant NAME KEY=VALUE...: client.yaml with keys replaced
  local name=$1; shift
  grep -v "^security.ssl" client.yaml > "$name.yaml"
  printf '%s\n' "$@" >> "$name.yaml"
}
pki=$work/pki
variant anonymous "security.ssl.enabled: true"
variant no-cafile "security.ssl.enabled: true" "security.ssl.certificate: $pki/client.pem" \
  "security.ssl.key: $pki/client.key"
variant wrong-pass "security.ssl.enabled: true" "security.ssl.certificate: $pki/client.pem" \
  "security.ssl.key: $pki/client-enc.key" "security.ssl.key-password: wrong" \
  "security.ssl.cafile: $pki/ca.pem"
variant no-pass "security.ssl.enabled: true" "security.ssl.certificate: $pki/client.pem" \
  "security.ssl.key: $pki/client-enc.key" "security.ssl.cafile: $pki/ca.pem"
echo right-password > pass.txt
variant pass-file "security.ssl.enabled: true" "security.ssl.certificate: $pki/client.pem" \
  "security.ssl.key: $pki/client-enc.key" "security.ssl.key-password-file: $work/pass.txt" \
  "security.ssl.cafile: $pki/ca.pem"
variant other-key "security.ssl.enabled: true" "security.ssl.certificate: $pki/client.pem" \
  "security.ssl.key: $pki/tm-1.key" "security.ssl.cafile: $pki/ca.pem"
variant other-ca "security.ssl.enabled: true" "security.ssl.certificate: $work/rogue/intruder.pem" \
  "security.ssl.key: $work/rogue/intruder.key" "security.ssl.cafile: $pki/ca.pem"
variant missing "security.ssl.enabled: true" "security.ssl.certificate: $pki/nobody.pem" \
  "security.ssl.key: $pki/client.key" "security.ssl.cafile: $pki/ca.pem"
expect_error "TLS without a certificate (anonymous TLS) is refused" 2 \
  "security.ssl.certificate: required with security.ssl.enabled" -- \
  timeout 20 "$fjord" list -c anonymous.yaml --timeout 4
expect_error "TLS without a CA is refused" 2 "security.ssl.cafile: required" -- \
  timeout 20 "$fjord" list -c no-cafile.yaml --timeout 4
expect_error "a wrong key password fails at start, no hang" 2 \
  "cannot decrypt .*wrong security.ssl.key-password" -- \
  timeout 20 "$fjord" list -c wrong-pass.yaml --timeout 4
expect_error "an encrypted key without a password" 2 "no security.ssl.key-password is set" -- \
  timeout 20 "$fjord" list -c no-pass.yaml --timeout 4
expect_error "a key of another certificate" 2 "is not the key of security.ssl.certificate" -- \
  timeout 20 "$fjord" taskmanager -c other-key.yaml --slots 1
expect_error "a certificate of another CA" 2 "unable to get local issuer certificate" -- \
  timeout 20 "$fjord" jobmanager -c other-ca.yaml
expect_error "a missing certificate file" 2 "security.ssl.certificate: cannot read .*nobody.pem" -- \
  timeout 20 "$fjord" list -c missing.yaml --timeout 4
"$fjord" list -c pass-file.yaml --timeout 10 > pass-file.out 2>&1 \
  && pass "an encrypted key with security.ssl.key-password-file works" \
  || count_failure "key-password-file: $(cat pass-file.out)"
expect_summary
