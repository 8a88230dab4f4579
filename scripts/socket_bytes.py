#!/usr/bin/env python3
"""Bytes through TCP sockets of given processes, from `ss -tinp` (what the kernel counted).

  socket_bytes.py PID                -> bytes sent + received over every socket of PID
  socket_bytes.py PID_A PID_B        -> bytes over the sockets between PID_A and PID_B

Counts bytes_acked (sent and acknowledged) plus bytes_received of each socket, from PID_A's
side. Only sockets that are still open are seen: read them while the processes run.
"""
import re
import subprocess
import sys


def sockets():
    out = subprocess.run(["ss", "-tinpH"], capture_output=True, text=True, check=True).stdout
    entries = []
    current = None
    for line in out.splitlines():
        if not line.startswith((" ", "\t")):
            fields = line.split()
            pids = [int(p) for p in re.findall(r"pid=(\d+)", line)]
            if len(fields) >= 5:
                current = {"local": fields[3], "peer": fields[4], "pids": pids,
                           "acked": 0, "received": 0}
                entries.append(current)
            continue
        if current is not None:
            acked = re.search(r"bytes_acked:(\d+)", line)
            received = re.search(r"bytes_received:(\d+)", line)
            current["acked"] += int(acked.group(1)) if acked else 0
            current["received"] += int(received.group(1)) if received else 0
    return entries


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: socket_bytes.py PID [OTHER_PID]")
    a = int(sys.argv[1])
    all_sockets = sockets()
    mine = [s for s in all_sockets if a in s["pids"]]
    if len(sys.argv) == 3:
        b = int(sys.argv[2])
        theirs = {s["local"] for s in all_sockets if b in s["pids"]}
        mine = [s for s in mine if s["peer"] in theirs]
    print(sum(s["acked"] + s["received"] for s in mine))


if __name__ == "__main__":
    main()
