#!/usr/bin/env python3
"""basp_header_probe.py PORT PID CLAIM_MIB [CONNECTIONS]: a stranger's 32 bytes (loopback only).

Opens CONNECTIONS (default 3) TCP connections to 127.0.0.1:PORT, reads what the server sends
first (a plain CAF server greets with its BASP handshake; a TLS server waits for a ClientHello),
then sends on each a 32-byte BASP client-handshake header whose payload length claims CLAIM_MIB
MiB. CAF 0.17 allocates the claimed payload before any authentication, so a plain server grows
by CLAIM_MIB per connection; a TLS server reads the bytes as a broken TLS record and drops them.
Prints one line: "greeting=<bytes> rss_before_mib=<n> rss_after_mib=<n> peak_before_mib=<n>
peak_after_mib=<n> closed=<k>/<n>" (peak: VmHWM, as a plain server frees the buffer when its
connection timeout drops the silent stranger, about a second later).
"""
import socket
import struct
import sys
import time


def rss_mib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    raise SystemExit(f"no {field} for pid {pid}")


def main():
    port, pid, claim_mib = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    # op=1 (client_handshake), padding, padding, flags, payload_len, operation_data, src, dst
    header = struct.pack(">BBBBIQQQ", 1, 0, 0, 0, claim_mib << 20, 0, 0, 0)
    assert len(header) == 32
    before, peak_before = rss_mib(pid), rss_mib(pid, "VmHWM")
    conns, greeting = [], 0
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=2)
        s.settimeout(0.5)
        try:
            greeting = max(greeting, len(s.recv(4096)))
        except socket.timeout:
            pass
        s.sendall(header)
        conns.append(s)
    time.sleep(1.5)
    after, peak_after = rss_mib(pid), rss_mib(pid, "VmHWM")
    closed = 0
    for s in conns:
        s.settimeout(0.2)
        try:
            if s.recv(1) == b"":
                closed += 1
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        s.close()
    print(f"greeting={greeting} rss_before_mib={before} rss_after_mib={after} "
          f"peak_before_mib={peak_before} peak_after_mib={peak_after} closed={closed}/{count}")


if __name__ == "__main__":
    main()
