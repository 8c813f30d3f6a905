#!/usr/bin/python3
"""E2E: one port, one server. The built task-server is started on a free loopback port; a second
one on the same port must refuse to start (non-zero exit, a message naming the port) and leave
the first serving, with or without --reuse-port on the second alone. Two servers that both ask
for --reuse-port (flag or TASK_REUSE_PORT) share the port and both answer.
Usage: port_in_use.py /path/to/task-server"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import free_port, expect


def healthy(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


class Server:
    def __init__(self, binary, tmp, name, port, extra=(), env=None):
        self.log_path = os.path.join(tmp, name + ".log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1",
             "--database-url", f"sqlite://{tmp}/{name}/tasks.db", "--scheduler", "off", *extra],
            stdout=self.log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})

    def text(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def wait_exit(self, seconds):
        try:
            return self.proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            if self.wait_exit(20) is None:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def wait_healthy(port, server):
    for _ in range(200):
        if healthy(port):
            return
        expect(server.proc.poll() is None, "server exited early:\n" + server.text())
        time.sleep(0.05)
    raise AssertionError("server did not come up:\n" + server.text())


def refused(binary, tmp, name, port, extra=(), env=None):
    second = Server(binary, tmp, name, port, extra, env)
    try:
        rc = second.wait_exit(30)
        expect(rc is not None, f"{name}: a second server on port {port} kept running")
        out = second.text()
        expect(rc != 0, f"{name}: exit code {rc}, want non-zero")
        expect(f"port {port} is already in use" in out, f"{name}: no clear message:\n{out}")
        expect("--reuse-port" in out, f"{name}: the message does not name --reuse-port:\n{out}")
        # It stopped before opening storage or starting anything.
        expect("runtime ready" not in out, f"{name}: started its runtime before refusing:\n{out}")
        print(f"ok: {name} refused: rc={rc}: {out.strip().splitlines()[-1]}")
    finally:
        second.stop()


def main(binary):
    tmp = tempfile.mkdtemp(prefix="task-e2e-port-")
    servers = []
    try:
        port = free_port()
        first = Server(binary, tmp, "first", port)
        servers.append(first)
        wait_healthy(port, first)

        refused(binary, tmp, "second", port)
        refused(binary, tmp, "second-reuse", port, ["--reuse-port", "on"])
        expect(first.proc.poll() is None and healthy(port), "the first server stopped serving")
        # Each request still reaches the first server: the second never listened.
        for _ in range(20):
            expect(healthy(port), "a request on the shared port failed")
        print("ok: the first server keeps the port")

        # Both ask for sharing: both run and answer (zero-downtime restart).
        shared = free_port()
        a = Server(binary, tmp, "shared-a", shared, ["--reuse-port", "on"])
        servers.append(a)
        wait_healthy(shared, a)
        b = Server(binary, tmp, "shared-b", shared, env={"TASK_REUSE_PORT": "on"})
        servers.append(b)
        for _ in range(200):
            if "msg=listening" in b.text():
                break
            expect(b.proc.poll() is None, "shared-b exited:\n" + b.text())
            time.sleep(0.05)
        else:
            raise AssertionError("shared-b did not listen:\n" + b.text())
        a.stop()  # the old one leaves; the new one keeps serving the port
        expect(a.proc.returncode == 0, f"shared-a exit code {a.proc.returncode}")
        for _ in range(20):
            expect(healthy(shared), "after the first left, the port did not answer")
        expect(b.proc.poll() is None, "shared-b stopped")
        print("ok: two servers with --reuse-port share a port; one leaves, the other serves")
        for s in servers:
            s.stop()
        for s in (first, b):
            expect(s.proc.returncode == 0, f"exit code {s.proc.returncode} on SIGTERM")
        print("3 passed, 0 failed")
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1])
