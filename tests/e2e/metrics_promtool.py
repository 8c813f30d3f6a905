#!/usr/bin/python3
"""E2E: the /metrics text of the built task-server is what a Prometheus server accepts.
Starts the server on SQLite with the scheduler on, makes it do some work (requests with 2xx and
4xx answers, a manual run, a scheduled run), then checks GET /metrics with `promtool check metrics`
(no problem reported) and that every family docs/operations.md lists is there.
Usage: metrics_promtool.py /path/to/task-server /path/to/promtool"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import expect, start_server, stop, wait_healthy

USER = {"X-User-ID": "metrics-user"}
FAMILIES = [
    "task_http_requests_total",
    "task_http_request_duration_seconds",
    "task_http_requests_in_flight",
    "task_executions_total",
    "task_manual_run_duration_seconds",
    "task_scheduler_runs_total",
    "task_scheduler_lateness_seconds",
    "task_scheduler_run_duration_seconds",
    "task_scheduler_expired_leases_total",
    "task_scheduler_lag_seconds",
    "task_outbox_backlog",
    "task_outbox_oldest_age_seconds",
    "task_database_up",
    "task_store_statement_duration_seconds",
    "task_executions_pruned_total",
]


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={**USER, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main(binary, promtool):
    if not shutil.which(promtool):
        raise SystemExit(f"{promtool} not found: it is in Debian's prometheus package "
                         "(scripts/install-deps --with-test)")
    tmp = tempfile.mkdtemp(prefix="task-e2e-metrics-")
    proc, port = start_server(binary, tmp, "--database-url", f"sqlite://{tmp}/tasks.db",
                              "--default-tier", "pro", "--scheduler", "on")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(port, proc=proc)
        status, body = call(base, "POST", "/api/v1/tasks", {"name": "n", "task_type": "todo"})
        expect(status == 201, f"create: {status} {body}")
        todo = json.loads(body)["task_id"]
        expect(call(base, "POST", f"/api/v1/tasks/{todo}/execute")[0] == 200, "manual run")
        expect(call(base, "GET", "/api/v1/tasks/tsk_missing")[0] == 404, "404")
        # A scheduled run: once, a second from now (it fails: no news provider is configured).
        run_at = (datetime.datetime.now(datetime.timezone.utc) +
                  datetime.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        status, body = call(base, "POST", "/api/v1/tasks",
                            {"name": "s", "task_type": "daily_news",
                             "schedule": {"type": "once", "run_at": run_at}})
        expect(status == 201, f"create scheduled: {status} {body}")
        text = ""
        for _ in range(100):  # up to 10 s for the scheduled run to be recorded
            with urllib.request.urlopen(base + "/metrics", timeout=10) as r:
                expect(r.status == 200, "metrics status")
                ctype = r.headers.get("Content-Type", "")
                text = r.read().decode()
            if 'task_scheduler_runs_total{outcome="failed"} 1' in text:
                break
            time.sleep(0.1)
        expect(ctype.startswith("text/plain; version=0.0.4"), f"content type {ctype}")
        with open(os.path.join(tmp, "metrics.txt"), "w") as f:
            f.write(text)
        check = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                               capture_output=True, timeout=60)
        problems = (check.stdout + check.stderr).strip()
        expect(check.returncode == 0 and not problems,
               f"promtool check metrics: rc={check.returncode}\n{problems}")
        print(f"ok: promtool check metrics accepts {len(text.splitlines())} lines")
        missing = [f for f in FAMILIES if f"# TYPE {f} " not in text]
        expect(not missing, f"families missing from /metrics: {missing}")
        expect('task_scheduler_runs_total{outcome="failed"} 1' in text,
               "the scheduled run was not recorded")
        expect('task_manual_run_duration_seconds_count{task_type="todo",outcome="completed"} 1'
               in text, "the manual run's duration was not recorded")
        expect('task_scheduler_run_duration_seconds_count{task_type="daily_news",outcome="failed"} 1'
               in text, "the scheduled run's duration was not recorded by type and outcome")
        expect('status_class="4xx"' in text and 'status_class="2xx"' in text,
               "latency histogram by status class")
        expect("task_database_up 1" in text, "task_database_up")
        print(f"ok: all {len(FAMILIES)} families present")
        expect(stop(proc) == 0, "exit code on SIGTERM")
        print("2 passed, 0 failed")
    finally:
        stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
