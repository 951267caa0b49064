# SPDX-License-Identifier: GPL-3.0-or-later
# A stand-in for a syslog daemon, for tests/integ/pam_syslog.sh: binds a
# datagram UNIX socket (the path glibc's syslog(3) writes to, /dev/log,
# inside the test's private mount namespace) and appends each datagram to
# a file as one line, flushed at once so the test can read it right away.
# Newlines inside a message become spaces; the bytes are kept otherwise.
# Runs until killed.
#
# usage: python3 syslog-sink.py SOCKET OUTPUT
import os
import socket
import sys


def main():
    path, out = sys.argv[1], sys.argv[2]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    os.chmod(path, 0o666)
    with open(out, "ab", buffering=0) as f:
        while True:
            data = sock.recv(65536)
            data = data.rstrip(b"\0\n").replace(b"\n", b" ")
            f.write(data + b"\n")


if __name__ == "__main__":
    main()
