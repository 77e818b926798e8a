# SPDX-License-Identifier: Apache-2.0
#
# tests/server/abuse.py — hostile clients for tests/e2e/server_abuse.sh, on
# loopback only and bounded in count and time. Each mode prints one line of
# key=value results; the shell test judges them.
#
#   slow PORT N SRC SECS [body]
#                          N connections from address SRC (127.0.0.x) each
#                          send a request line and then one header line
#                          every 0.3 s, never finishing (with `body`: whole
#                          headers, then one body byte every 0.3 s). After 1 s, /health
#                          is asked from 127.0.0.1 on a fresh connection.
#                          Prints health=STATUS health_ms=MS closed=K (K:
#                          connections the server closed within SECS).
#   percap PORT N SRC      opens N connections from SRC at once, then sends
#                          GET /api/v1/health on each: prints answered=K.
#   patient PORT TOKEN     the honest slow client: a JSON body sent one byte
#                          every 0.2 s (longer than the header deadline,
#                          within the body deadline), then 4 requests 0.8 s
#                          apart on the same keep-alive connection. Prints
#                          body=STATUS keepalive=K (K: requests answered 200).
#   raw PORT               sends stdin as one request: prints the status.
#   lock DB FILE SECS      holds the database's write lock (BEGIN IMMEDIATE)
#                          until FILE exists or SECS pass; prints "locked"
#                          once it holds it.
import os
import select
import socket
import sqlite3
import sys
import time


def health(port):
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        st = data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "none"
    except OSError:
        st = "none"
    return st, (time.monotonic() - t0) * 1000


def connect_from(src, port):
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s


def slow(port, n, src, secs, body):
    socks = [connect_from(src, port) for _ in range(n)]
    for s in socks:
        if body:
            s.sendall(b"POST /api/v1/login HTTP/1.1\r\nHost: t\r\nContent-Type: "
                      b"application/json\r\nContent-Length: 100000\r\n\r\n")
        else:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\n")
    open_ = set(range(n))
    t0 = time.monotonic()
    st, ms = None, None
    k = 0
    while open_ and time.monotonic() - t0 < secs:
        if st is None and time.monotonic() - t0 >= 1.0:
            st, ms = health(port)
        for i in list(open_):
            s = socks[i]
            r, _, _ = select.select([s], [], [], 0)
            closed = False
            if r:
                try:
                    closed = s.recv(4096) == b""
                except OSError:
                    closed = True
            if not closed:
                try:
                    s.sendall(b" " if body else b"X-Trickle-%d: x\r\n" % k)
                except OSError:
                    closed = True
            if closed:
                open_.discard(i)
        k += 1
        time.sleep(0.3)
    if st is None:
        st, ms = health(port)
    for s in socks:
        s.close()
    print("health=%s health_ms=%.1f closed=%d" % (st, ms, n - len(open_)))


def read_response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        b = s.recv(4096)
        if not b:
            return None
        data += b
    head, rest = data.split(b"\r\n\r\n", 1)
    n = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            n = int(line.split(b":")[1])
    while len(rest) < n:
        b = s.recv(4096)
        if not b:
            return None
        rest += b
    return head.split(b" ")[1].decode()


def percap(port, n, src):
    socks = []
    for _ in range(n):
        try:
            socks.append(connect_from(src, port))
        except OSError:
            pass
    time.sleep(0.3)  # let the server accept (or refuse) them all
    # keep-alive: an answered connection stays open, so its slot is never
    # freed for a latecomer while we count
    answered = 0
    for s in socks:
        try:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
            answered += read_response(s) == "200"
        except OSError:
            pass
    for s in socks:
        s.close()
    print("answered=%d" % answered)


def patient(port, token):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    body = b'{"name":"a patient client"}'
    s.sendall(b"POST /api/v1/events HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " +
              token.encode() + b"\r\nContent-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body))
    for i in range(len(body)):
        s.sendall(body[i:i + 1])
        time.sleep(0.2)
    st = read_response(s)
    k = 0
    for _ in range(4):
        time.sleep(0.8)
        try:
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
            k += read_response(s) == "200"
        except OSError:
            break
    print("body=%s keepalive=%d" % (st, k))


def raw(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(sys.stdin.buffer.read())
    data = b""
    try:
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
    except OSError:
        pass
    print(data.split(b" ")[1].decode() if data.startswith(b"HTTP/") else "none")
    body = data.split(b"\r\n\r\n", 1)
    sys.stdout.write(body[1].decode("utf-8", "replace") + "\n" if len(body) > 1 else "\n")


def lock(db, flag, secs):
    c = sqlite3.connect(db, timeout=10, isolation_level=None)
    c.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    t0 = time.monotonic()
    while not os.path.exists(flag) and time.monotonic() - t0 < secs:
        time.sleep(0.05)
    c.execute("ROLLBACK")
    c.close()


if __name__ == "__main__":
    m = sys.argv[1]
    if m == "slow":
        slow(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], float(sys.argv[5]),
             len(sys.argv) > 6 and sys.argv[6] == "body")
    elif m == "percap":
        percap(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif m == "patient":
        patient(int(sys.argv[2]), sys.argv[3])
    elif m == "raw":
        raw(int(sys.argv[2]))
    elif m == "lock":
        lock(sys.argv[2], sys.argv[3], float(sys.argv[4]))
