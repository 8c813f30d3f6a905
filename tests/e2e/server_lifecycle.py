#!/usr/bin/python3
"""E2E: start the built task-server on a temporary SQLite file and a free port, walk a todo
lifecycle and a webhook run against a stub served here on loopback, then SIGTERM -> exit 0.
Usage: server_lifecycle.py /path/to/task-server"""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import expect, start_server, stop, wait_healthy

USER = {"X-User-ID": "e2e-user"}


def call(base, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={**USER, "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, dict(r.headers), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"null")


class Stub(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Stub.received.append(json.loads(body))
        out = json.dumps({"received": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


def main(binary):
    tmp = tempfile.mkdtemp(prefix="task-e2e-")
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    proc, port = start_server(binary, tmp, "--database-url", f"sqlite://{tmp}/data/tasks.db",
                              "--webhook-allow-private", "on", "--scheduler", "off")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(port, proc=proc)

        # todo lifecycle
        st, h, t = call(base, "POST", "/api/v1/tasks", {"name": "Write report", "task_type": "todo"})
        expect(st == 201 and t["status"] == "pending", f"create: {st} {t}")
        tid = t["task_id"]
        st, h, t = call(base, "GET", f"/api/v1/tasks/{tid}")
        expect(st == 200 and t["name"] == "Write report", f"get: {st}")
        st, _, page = call(base, "GET", "/api/v1/tasks?status=pending")
        expect(st == 200 and page["total"] == 1, f"list: {page}")
        st, _, t = call(base, "PUT", f"/api/v1/tasks/{tid}", {"priority": "urgent"},
                        {"If-Match": h["ETag"]})
        expect(st == 200 and t["priority"] == "urgent", f"update: {st} {t}")
        st, _, t = call(base, "PUT", f"/api/v1/tasks/{tid}", {"status": "completed"})
        expect(st == 200 and t["is_completed"] is True, f"complete: {t}")
        st, _, t = call(base, "PUT", f"/api/v1/tasks/{tid}", {"status": "pending"})
        expect(st == 200 and t["is_completed"] is False, f"reopen: {t}")
        st, _, body = call(base, "DELETE", f"/api/v1/tasks/{tid}")
        expect(st == 200 and body["task_id"] == tid, f"delete: {body}")
        expect(call(base, "GET", f"/api/v1/tasks/{tid}")[0] == 404, "deleted task still visible")

        # webhook run against the stub
        hook = f"http://127.0.0.1:{stub.server_address[1]}/hook"
        st, _, t = call(base, "POST", "/api/v1/tasks",
                        {"name": "Ping", "task_type": "custom", "config": {"url": hook}})
        expect(st == 201, f"create webhook: {st} {t}")
        st, _, ex = call(base, "POST", f"/api/v1/tasks/{t['task_id']}/execute")
        expect(st == 200 and ex["status"] == "completed", f"execute: {st} {ex}")
        expect(ex["result"]["status_code"] == 200 and ex["result"]["body"] == {"received": True},
               f"result: {ex['result']}")
        expect(Stub.received and Stub.received[0]["task_id"] == t["task_id"], "stub saw no call")
        st, h, history = call(base, "GET", f"/api/v1/tasks/{t['task_id']}/executions")
        expect(st == 200 and h.get("X-Total-Count") == "1" and len(history) == 1, "history")
    finally:
        rc = stop(proc)
        stub.shutdown()
    if rc != 0:
        print(open(os.path.join(tmp, "server.log")).read())
        raise AssertionError(f"task-server exited with {rc} after SIGTERM")
    expect(os.path.exists(os.path.join(tmp, "data", "tasks.db")), "database file not created")
    shutil.rmtree(tmp)
    print("e2e server lifecycle: ok")


if __name__ == "__main__":
    main(sys.argv[1])
