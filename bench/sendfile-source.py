#!/usr/bin/env python3
"""The listener benchmark's neutral source: sends TOTAL bytes of FILE (repeated from its start as
often as needed) to 127.0.0.1:PORT with sendfile(2), then shuts down its write side and closes.

One process that copies nothing in user space is faster than any tool under test, so the listener's
figure measures the listener and not the source (`head -c | socat` tops out near 1.2 GB/s here,
below the tools it feeds).

    python3 bench/sendfile-source.py PORT TOTAL FILE
"""
import os
import socket
import sys

port, total, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
size = os.path.getsize(path)
if size == 0:
    sys.exit(f"sendfile-source: {path} is empty")
sock = socket.create_connection(("127.0.0.1", port))
fd = os.open(path, os.O_RDONLY)
sent = 0
while sent < total:
    offset = sent % size
    n = os.sendfile(sock.fileno(), fd, offset, min(size - offset, total - sent))
    if n == 0:
        sys.exit(f"sendfile-source: sendfile sent nothing after {sent} bytes")
    sent += n
sock.shutdown(socket.SHUT_WR)
sock.close()
