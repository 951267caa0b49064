#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""latency.py LOG SOCKET DENYFILE N - ban latency of a running guard.

N times: appends one access-log line (stamped now) from a fresh address to
LOG, which the benchmark's configuration bans at the first line, then
watches, every 0.2 ms, (a) the daemon's control socket
until `status` lists the ban (the decision) and (b) DENYFILE until it
holds the address (the enforcement of the file backend).  The clock is
the monotonic one, started just before the line is written.  Prints a
JSON object: the samples in milliseconds and their p50, p99 and maximum.
A trial that shows nothing within 10 s counts as missing.
"""
import json
import os
import socket
import sys
import time


def status(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    try:
        s.connect(path)
        s.sendall(b'{"verb":"status"}\n')
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return json.loads(data)


def addresses(n):
    nets = ["192.0.2.", "198.51.100.", "203.0.113."]
    for i in range(n):
        yield nets[i // 250 % 3] + str(i % 250 + 1)


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return round(xs[k], 2)


def main():
    log, sock, deny, n = sys.argv[1], sys.argv[2], sys.argv[3], \
        int(sys.argv[4])
    decided, enforced = [], []
    missing = 0
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for addr in addresses(n):
        stamp = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime())
        line = ('%s - - [%s] "POST /bench-latency HTTP/1.1" 404 150 "-" '
                '"latency"\n' % (addr, stamp)).encode()
        t0 = time.monotonic()
        os.write(fd, line)
        td = te = None
        needle = b" " + addr.encode() + b";"
        while (td is None or te is None) and time.monotonic() - t0 < 10:
            if td is None:
                st = status(sock)
                if any(b.get("address") == addr for b in st.get("bans", [])):
                    td = time.monotonic()
            if te is None:
                try:
                    with open(deny, "rb") as f:
                        if needle in f.read():
                            te = time.monotonic()
                except FileNotFoundError:
                    pass
            time.sleep(0.0002)
        if td is None or te is None:
            missing += 1
        if td is not None:
            decided.append((td - t0) * 1000)
        if te is not None:
            enforced.append((te - t0) * 1000)
        time.sleep(0.02)
    os.close(fd)
    print(json.dumps({
        "n": n, "missing": missing,
        "decision_ms": {"p50": pct(decided, 50), "p99": pct(decided, 99),
                        "max": round(max(decided), 2) if decided else None},
        "deny_file_ms": {"p50": pct(enforced, 50), "p99": pct(enforced, 99),
                         "max": round(max(enforced), 2) if enforced
                         else None},
        "decision_samples": [round(x, 3) for x in decided],
        "deny_file_samples": [round(x, 3) for x in enforced]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
