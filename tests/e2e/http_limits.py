#!/usr/bin/python3
"""E2E: the built task-server holds its HTTP limits with bounded memory and time.

Starts the binary on a temporary SQLite file and a free loopback port, then, without X-User-ID:
  1. a 128 MiB chunked POST           -> 413, peak RSS (VmHWM) grows < 40 MiB
  2. a gzip body that inflates to 256 MiB (~255 KiB on the wire) -> 413, same bound, < 1.5 s CPU
  3. 100 slowloris connections (a header byte every 200 ms) -> a normal request is answered
     within 1 s while they are open, and they are dropped after the head timeout
Then SIGTERM -> exit 0.
Usage: http_limits.py /path/to/task-server"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import expect, start_server, stop, wait_healthy

MIB = 1024 * 1024


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def get_health(port, timeout=5.0):
    """One GET /health on a fresh connection; returns (status, seconds)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, time.monotonic() - start


def post_streaming(port, head, body_chunks, deadline_s=60.0):
    """Sends `head` then the chunks while reading concurrently; returns the status line's code
    (0 when none came back) once the server answered and closed, or the sender finished."""
    s = socket.create_connection(("127.0.0.1", port), timeout=deadline_s)
    received = bytearray()
    done = threading.Event()

    def reader():
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                received.extend(chunk)
        except OSError:
            pass
        done.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    try:
        s.sendall(head)
        for c in body_chunks:
            if done.is_set():
                break
            s.sendall(c)
    except OSError:
        pass  # the server stopped reading after its 413 and closed
    done.wait(deadline_s)
    s.close()
    text = bytes(received)
    return int(text.split(b" ", 2)[1]) if text.startswith(b"HTTP/1.1 ") else 0, text


def chunked(total, piece=64 * 1024):
    block = b"x" * piece
    sent = 0
    while sent < total:
        yield b"%x\r\n" % piece + block + b"\r\n"
        sent += piece
    yield b"0\r\n\r\n"


def gzip_bomb(inflated):
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip wrapper
    out = [comp.compress(b"\0" * MIB) for _ in range(inflated // MIB)]
    out.append(comp.flush())
    return b"".join(out)


def main(binary):
    tmp = tempfile.mkdtemp(prefix="task-e2e-limits-")
    proc, port = start_server(binary, tmp, "--database-url", f"sqlite://{tmp}/tasks.db",
                              "--scheduler", "off")
    ok = False
    try:
        wait_healthy(port, proc=proc)
        base_hwm = vm_hwm_kib(proc.pid)
        base_cpu = cpu_seconds(proc.pid)

        # 1. 128 MiB chunked, no X-User-ID
        head = (b"POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n")
        status, _ = post_streaming(port, head, chunked(128 * MIB))
        hwm = vm_hwm_kib(proc.pid)
        print(f"chunked 128 MiB: status {status}, VmHWM {base_hwm} -> {hwm} KiB")
        expect(status == 413, f"chunked 128 MiB: expected 413, got {status}")
        expect(hwm - base_hwm < 40 * 1024, f"chunked: peak RSS grew by {(hwm - base_hwm) // 1024} MiB")

        # 2. gzip inflating to 256 MiB
        bomb = gzip_bomb(256 * MIB)
        head = (b"POST /api/v1/tasks HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(bomb))
        cpu0 = cpu_seconds(proc.pid)
        status, _ = post_streaming(port, head, [bomb[i:i + 65536] for i in range(0, len(bomb), 65536)])
        cpu = cpu_seconds(proc.pid) - cpu0
        hwm = vm_hwm_kib(proc.pid)
        print(f"gzip {len(bomb) // 1024} KiB -> 256 MiB: status {status}, VmHWM {base_hwm} -> {hwm} KiB,"
              f" server CPU {cpu:.2f} s")
        expect(status == 413, f"gzip bomb: expected 413, got {status}")
        expect(hwm - base_hwm < 40 * 1024, f"gzip: peak RSS grew by {(hwm - base_hwm) // 1024} MiB")
        expect(cpu < 1.5, f"gzip bomb cost {cpu:.2f} s of CPU")

        # 3. 100 slowloris connections
        slow = []
        for _ in range(100):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /health HTTP/1.1\r\n")
            slow.append(s)
        quit_probes = threading.Event()

        def drip():
            for _ in range(100):  # at most 20 s
                if quit_probes.wait(0.2):
                    return
                for s in slow:
                    try:
                        s.send(b"X")
                    except OSError:
                        pass

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        time.sleep(0.5)
        worst = 0.0
        for _ in range(5):
            status, took = get_health(port, timeout=5)
            expect(status == 200, f"normal request during slowloris: {status}")
            worst = max(worst, took)
        print(f"100 slowloris connections open: 5 normal requests, slowest {worst * 1000:.0f} ms")
        expect(worst < 1.0, f"normal request took {worst:.2f} s during slowloris")
        # The default head timeout is 10 s: by 12 s every slow connection has been dropped.
        start = time.monotonic()
        dropped = 0
        for s in slow:
            s.settimeout(max(0.1, 12 - (time.monotonic() - start)))
            try:
                data = s.recv(4096)
                dropped += 1 if (data == b"" or data.startswith(b"HTTP/1.1 408")) else 0
            except OSError:
                pass
        quit_probes.set()
        for s in slow:
            s.close()
        print(f"slowloris connections dropped by the server: {dropped}/100 after "
              f"{time.monotonic() - start + 0.5:.1f} s")
        expect(dropped == 100, f"only {dropped} of 100 slow connections were dropped")
        expect(get_health(port)[0] == 200, "server unhealthy after the limits")
        print(f"total server CPU during the test: {cpu_seconds(proc.pid) - base_cpu:.2f} s")
        ok = True
    finally:
        rc = stop(proc)
        if not ok or rc != 0:
            print(open(os.path.join(tmp, "server.log")).read()[-4000:])
    expect(rc == 0, f"task-server exited with {rc} after SIGTERM")
    shutil.rmtree(tmp)
    print("e2e http limits: ok")


if __name__ == "__main__":
    main(sys.argv[1])
