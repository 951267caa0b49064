#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""f2b-window.py MAXRETRY FINDTIME - which addresses fail2ban would ban,
from `fail2ban-regex -o row` on standard input.

fail2ban-regex shows what a filter matches but does not count; this applies
the counting of fail2ban's daemon (1.0) on log time, so that the peer's
detections can be read from the same files as Kalkan's replay: an entry
silent for more than FINDTIME seconds starts again; when its window grows
past FINDTIME the count is scaled down to the rate over the last FINDTIME;
MAXRETRY failures ban.  Rows marked "nofail" (a multi-line filter's
context, not a failure) are not counted.  Prints one banned address per
line, in the order of the bans.
"""
import ast
import sys


def main():
    maxretry, findtime = int(sys.argv[1]), float(sys.argv[2])
    events = []
    for line in sys.stdin:
        line = line.strip().rstrip(",")
        if not line.startswith("["):
            continue
        try:
            addr, t, info = ast.literal_eval(line)
        except (ValueError, SyntaxError):
            continue
        if isinstance(info, dict) and info.get("nofail"):
            continue
        events.append((float(t), len(events), addr))
    events.sort()
    state = {}  # addr -> [window start, last failure, count]
    banned = set()
    for t, _, addr in events:
        if addr in banned:
            continue
        s = state.get(addr)
        if s is None or t - s[1] > findtime:
            s = [t, t, 0.0]
            state[addr] = s
        elif t > s[1]:
            if s[0] < t - findtime:
                s[2] = round(s[2] * findtime / (t - s[0]))
                s[0] = t - findtime
            s[1] = t
        s[2] += 1
        if s[2] >= maxretry:
            banned.add(addr)
            del state[addr]
            print(addr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
