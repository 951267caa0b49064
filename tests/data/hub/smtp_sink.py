#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""smtp_sink.py - a small SMTP server on loopback for the hub's tests.

It listens on 127.0.0.1 (port 0: the kernel picks a free one, written to
--port-file), speaks just enough SMTP (RFC 5321) for a client to hand it a
message, and writes every message it accepts to --dir as NNNN.eml (the
message as sent, dot-stuffing undone) beside NNNN.json (the envelope: HELO
name, MAIL FROM, RCPT TO).  Each file is written under a temporary name and
renamed, so a test that sees it sees it whole.  Plain sockets and threads:
no smtpd, which is gone from Python 3.12.

Modes (--mode):
  ok      accept everything (the default)
  hang    accept connections and never say a word (a relay that is stuck)
  reject  answer 550 to every RCPT TO (a relay that refuses)

Runs until SIGTERM or SIGINT.
"""
import argparse
import json
import os
import signal
import socket
import sys
import threading

LINE_MAX = 4096
MESSAGE_MAX = 4 * 1024 * 1024


class Sink:
    def __init__(self, directory, mode):
        self.dir = directory
        self.mode = mode
        self.lock = threading.Lock()
        self.count = 0

    def store(self, envelope, data):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.dir, "%04d" % n)
        for ext, blob in ((".eml", data),
                          (".json", json.dumps(envelope).encode())):
            with open(base + ext + ".tmp", "wb") as f:
                f.write(blob)
            os.rename(base + ext + ".tmp", base + ext)


def read_line(f):
    line = f.readline(LINE_MAX + 1)
    if len(line) > LINE_MAX:
        raise ValueError("line too long")
    return line


def session(sink, conn):
    f = conn.makefile("rb")
    out = conn.makefile("wb")

    def say(text):
        out.write(text.encode() + b"\r\n")
        out.flush()

    if sink.mode == "hang":
        while f.readline(LINE_MAX):
            pass
        return
    envelope = {"helo": "", "from": "", "to": []}
    say("220 sink.test ESMTP ready")
    while True:
        line = read_line(f)
        if not line:
            return
        cmd = line.decode("ascii", "replace").rstrip("\r\n")
        verb = cmd[:4].upper()
        if verb in ("EHLO", "HELO"):
            envelope = {"helo": cmd[5:], "from": "", "to": []}
            if verb == "EHLO":
                say("250-sink.test")
                say("250 SIZE %d" % MESSAGE_MAX)
            else:
                say("250 sink.test")
        elif cmd.upper().startswith("MAIL FROM:"):
            envelope["from"] = cmd[10:].strip().strip("<>")
            envelope["to"] = []
            say("250 OK")
        elif cmd.upper().startswith("RCPT TO:"):
            if sink.mode == "reject":
                say("550 5.1.1 no such user")
            else:
                envelope["to"].append(cmd[8:].strip().strip("<>"))
                say("250 OK")
        elif verb == "DATA":
            if not envelope["to"]:
                say("503 no recipients")
                continue
            say("354 end with <CRLF>.<CRLF>")
            data = bytearray()
            while True:
                line = read_line(f)
                if not line:
                    return
                if line in (b".\r\n", b".\n"):
                    break
                if line.startswith(b"."):
                    line = line[1:]
                data += line
                if len(data) > MESSAGE_MAX:
                    say("552 too big")
                    return
            sink.store(envelope, bytes(data))
            say("250 2.0.0 queued")
        elif verb == "RSET":
            envelope["from"] = ""
            envelope["to"] = []
            say("250 OK")
        elif verb == "NOOP":
            say("250 OK")
        elif verb == "QUIT":
            say("221 bye")
            return
        else:
            say("500 unknown command")


def serve_one(sink, conn):
    try:
        with conn:
            session(sink, conn)
    except (OSError, ValueError):
        pass


def main():
    ap = argparse.ArgumentParser(description="an SMTP sink on loopback")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--mode", choices=("ok", "hang", "reject"), default="ok")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir, args.mode)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(32)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    os.rename(tmp, args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=serve_one, args=(sink, conn),
                             daemon=True).start()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
