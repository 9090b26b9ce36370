#!/usr/bin/env python3
"""Hostile clients against a real vireo-shim: shim-hostile.py RUN_DIR SHIM_PID.

Garbage, 100 MiB without a newline, 200 connections, and clients that never
read while the guest floods its serial console.  After each, a well-behaved
client must get an answer within a second; the shim's RSS is printed and
must stay bounded.  Exits 1 with a message on the first failure."""
import json
import os
import socket
import sys
import time

RUN_DIR, SHIM_PID = sys.argv[1], int(sys.argv[2])
SHIM_SOCK = os.path.join(RUN_DIR, "shim.sock")
CONSOLE_SOCK = os.path.join(RUN_DIR, "console.sock")
# The bounded queues keep the shim small (about 12 MiB at the flood's
# peak); AddressSanitizer's quarantine and shadow memory make any bound
# meaningless there, so a sanitized run only prints the figure.
RSS_LIMIT_KIB = None if os.environ.get("VIREO_TEST_SANITIZED") else 64 * 1024
peak_rss = 0


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def rss_kib():
    global peak_rss
    with open("/proc/%d/status" % SHIM_PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                kib = int(line.split()[1])
                peak_rss = max(peak_rss, kib)
                return kib
    fail("the shim (pid %d) is gone" % SHIM_PID)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_line(s, timeout):
    s.settimeout(timeout)
    data = b""
    while not data.endswith(b"\n"):
        chunk = s.recv(1)
        if not chunk:
            break
        data += chunk
    return data


def well_behaved(what):
    """A client that negotiates and asks for the status, timed."""
    start = time.monotonic()
    s = connect(SHIM_SOCK)
    try:
        greeting = read_line(s, 1)
        # clients that just hung up may not have been noticed yet
        while b"too many clients" in greeting and time.monotonic() - start < 0.5:
            s.close()
            time.sleep(0.02)
            s = connect(SHIM_SOCK)
            greeting = read_line(s, 1)
        if b"QMP" not in greeting:
            fail("after %s: no greeting: %r" % (what, greeting))
        s.sendall(b'{"execute":"qmp_capabilities"}\r\n')
        read_line(s, 1)
        s.sendall(b'{"execute":"query-status","id":7}\r\n')
        while True:
            line = read_line(s, 1)
            if not line:
                fail("after %s: the shim hung up on a well-behaved client" % what)
            reply = json.loads(line)
            if reply.get("id") == 7:
                break
    except socket.timeout:
        fail("after %s: a well-behaved client got no answer within a second" % what)
    finally:
        s.close()
    elapsed = time.monotonic() - start
    if elapsed > 1:
        fail("after %s: the answer took %.2f s" % (what, elapsed))
    if reply.get("return", {}).get("status") != "running":
        fail("after %s: the guest is not running: %s" % (what, line))
    print("%-40s answer in %4.0f ms, shim RSS %6d KiB" % (what, elapsed * 1000, rss_kib()))


def garbage():
    s = connect(SHIM_SOCK)
    read_line(s, 1)
    s.sendall(os.urandom(4096).replace(b"\n", b"x") + b"\n")
    for bad in [b'{"execute": {}}', b'{"execute": 5, "id": [1]}', b"[" * 200000,
                b'"just a string"', b"{" * 10 + b"}" * 10, b"\xff\xfe\x00{}"]:
        s.sendall(bad + b"\r\n")
    replies = []
    try:
        while len(replies) < 7:
            line = read_line(s, 2)
            if not line:
                break
            replies.append(json.loads(line))
    except socket.timeout:
        pass
    s.close()
    if len(replies) < 7 or any("error" not in r for r in replies):
        fail("garbage got %d replies, not 7 errors: %s" % (len(replies), replies))


def no_newline():
    s = connect(SHIM_SOCK)
    read_line(s, 1)
    chunk = b"a" * (1024 * 1024)
    sent = 0
    try:
        s.settimeout(5)
        while sent < 100 * 1024 * 1024:
            sent += s.send(chunk)
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    try:
        reply = read_line(s, 2)
    except (ConnectionResetError, socket.timeout):
        reply = b""
    s.close()
    if sent >= 100 * 1024 * 1024:
        fail("the shim took 100 MiB without a newline")
    if reply and b"too long" not in reply:
        fail("a line without end got %r, not 'message too long'" % reply)
    print("100 MiB without a newline: dropped after %d KiB" % (sent // 1024))


def many_connections():
    socks, accepted, refused = [], 0, 0
    for _ in range(200):
        socks.append(connect(SHIM_SOCK))
    for s in socks:
        line = read_line(s, 2)
        if b"QMP" in line:
            accepted += 1
        elif b"too many clients" in line:
            refused += 1
    for s in socks:
        s.close()
    print("200 connections: %d served, %d refused" % (accepted, refused))
    if accepted > 64 or accepted + refused != 200:
        fail("200 connections: %d served, %d refused" % (accepted, refused))


def flood():
    """The guest floods ttyS0 while a console client and a monitor client
    never read; both are dropped, nobody else waits."""
    stuck_console = connect(CONSOLE_SOCK)
    stuck_monitor = connect(SHIM_SOCK)
    stuck_monitor.sendall(b'{"execute":"qmp_capabilities"}\r\n')
    typist = connect(CONSOLE_SOCK)
    # the shell echoes the command: only its output says FLOOD-42
    typist.sendall(b"yes 0123456789abcdef | head -c 6000000; echo FLOOD-$((40+2))\n")
    seen = b""
    deadline = time.monotonic() + 300
    last_probe = 0
    typist.settimeout(0.2)
    while b"FLOOD-42" not in seen:
        if time.monotonic() > deadline:
            fail("the flood did not end within 300 s")
        try:
            data = typist.recv(65536)
            if not data:
                fail("the shim hung up on a console client that reads")
            seen = (seen + data)[-4096:]
        except socket.timeout:
            pass
        if time.monotonic() - last_probe > 3:
            try:
                stuck_monitor.sendall(b'{"execute":"query-qmp-schema"}\r\n' * 40)
            except OSError:
                pass          # dropped already
            well_behaved("during the serial flood")
            last_probe = time.monotonic()
            if RSS_LIMIT_KIB is not None and rss_kib() > RSS_LIMIT_KIB:
                fail("the shim's RSS grew to %d KiB" % rss_kib())
    typist.close()
    for name, s in (("console", stuck_console), ("monitor", stuck_monitor)):
        s.settimeout(5)
        try:
            while s.recv(1 << 20):
                pass
        except socket.timeout:
            fail("the %s client that never read was not dropped" % name)
        except ConnectionResetError:
            pass
        s.close()
    well_behaved("after the serial flood")


def main():
    well_behaved("a first client")
    garbage()
    well_behaved("garbage")
    no_newline()
    well_behaved("100 MiB without a newline")
    many_connections()
    well_behaved("200 connections closed")
    flood()
    print("shim peak RSS %d KiB (limit %s)" % (peak_rss, "%d KiB" % RSS_LIMIT_KIB if RSS_LIMIT_KIB else "none: sanitized"))
    if RSS_LIMIT_KIB is not None and peak_rss > RSS_LIMIT_KIB:
        fail("the shim's RSS reached %d KiB" % peak_rss)


main()
