#!/usr/bin/python3
"""E2E: Consul registration of the built task-server against a stub of the Consul agent's HTTP
API served here on loopback (Debian 12 packages no Consul binary). The stub refuses the first
registration (500): the server must start serving anyway and register on a retry. Then: the
registration's fields, TTL check updates with status passing, and on SIGTERM a deregistration
of the same id before the process exits 0.
Usage: consul_registration.py /path/to/task-server"""
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import expect, start_server


class Agent(http.server.BaseHTTPRequestHandler):
    calls = []
    lock = threading.Lock()
    refuse_registrations = 1

    def do_PUT(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
        status = 200
        with Agent.lock:
            if self.path == "/v1/agent/service/register" and Agent.refuse_registrations > 0:
                Agent.refuse_registrations -= 1
                status = 500
            Agent.calls.append((self.path, json.loads(body) if body else None, status))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def calls(prefix):
    with Agent.lock:
        return [c for c in Agent.calls if c[0].startswith(prefix)]


def wait_for(pred, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; agent saw {Agent.calls}")


def main(binary):
    agent = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Agent)
    threading.Thread(target=agent.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp(prefix="task-e2e-consul-")
    env = {**os.environ, "CONSUL_HOST": "127.0.0.1", "CONSUL_PORT": str(agent.server_port)}
    proc, port = start_server(binary, tmp, "--database-url", "memory:", "--scheduler", "off",
                              env=env)
    try:
        def serving():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False
        wait_for(serving, 10, "the server to serve")
        print("ok: serving while the agent refuses the registration")
        wait_for(lambda: any(c[2] == 200 for c in calls("/v1/agent/service/register")), 10,
                 "a successful registration")
        regs = calls("/v1/agent/service/register")
        expect(regs[0][2] == 500 and len(regs) >= 2, f"the first attempt was refused and retried: {regs}")
        reg = regs[-1][1]
        expect(reg["Name"] == "task_service", f"Name: {reg}")
        expect(reg["Port"] == port and reg["Address"] == "127.0.0.1", f"address/port: {reg}")
        expect(reg["ID"].startswith("task_service-") and str(port) in reg["ID"], f"ID: {reg}")
        expect(reg["Meta"]["version"], f"Meta.version: {reg}")
        check = reg["Check"]
        expect(check["CheckID"] == "service:" + reg["ID"] and check["TTL"].endswith("s"),
               f"TTL check: {check}")
        print(f"ok: registered {reg['ID']} after a retry")
        path = "/v1/agent/check/update/service:" + reg["ID"]
        wait_for(lambda: calls(path), 10, "a TTL check update")
        expect(calls(path)[0][1]["Status"] == "passing", f"check status: {calls(path)}")
        print("ok: TTL check passing")
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        expect(rc == 0, f"exit code {rc}")
        dereg = calls("/v1/agent/service/deregister/")
        expect([c[0] for c in dereg] == ["/v1/agent/service/deregister/" + reg["ID"]],
               f"deregistration: {dereg}")
        print("ok: deregistered on SIGTERM, exit 0")
        print("4 passed, 0 failed")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        with open(os.path.join(tmp, "server.log")) as f:
            server_log = f.read()
        shutil.rmtree(tmp, ignore_errors=True)
        agent.shutdown()
    if "consul: registered" not in server_log:
        raise AssertionError("no registration log line:\n" + server_log)


if __name__ == "__main__":
    main(sys.argv[1])
