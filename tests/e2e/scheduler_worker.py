#!/usr/bin/python3
"""E2E: task-server as a scheduler worker (--http off). A once-task due in ~2 s is created with
the built task-cli on a temporary SQLite file; the worker (no HTTP) must run it: an execution with
trigger_type "scheduled" and scheduled_for = the slot appears (read back with task-cli); the
worker must not listen on its HTTP port; SIGTERM -> exit 0.
Usage: scheduler_worker.py /path/to/task-server /path/to/task-cli"""
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import expect, free_port, listening, stop


def cli(task_cli, db, *args):
    out = subprocess.run([task_cli, "--db", db, "--user", "e2e-user", *args],
                         capture_output=True, text=True, timeout=60)
    expect(out.returncode == 0, f"task-cli {args} -> {out.returncode}: {out.stderr}")
    return out.stdout


def main():
    server, task_cli = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="task-e2e-worker-")
    proc = None
    try:
        db = "sqlite://" + os.path.join(tmp, "tasks.db")
        slot = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2))
        slot = slot.replace(microsecond=0)
        at = slot.strftime("%Y-%m-%dT%H:%M:%SZ")
        task = json.loads(cli(task_cli, db, "-o", "json", "add", "worker e2e", "--at", at))
        task_id = task["task_id"]
        expect(task["status"] == "scheduled", f"task not scheduled: {task}")

        port = free_port()
        env = {**os.environ, "TASK_HTTP": "off", "TASK_PORT": str(port),
               "TASK_DATABASE_URL": db, "TASK_DATA_DIR": tmp, "LOG_LEVEL": "info"}
        for name in ("NATS_URL", "NOTIFICATION_SERVICE_URL", "TASK_SCHEDULER"):
            env.pop(name, None)
        log = open(os.path.join(tmp, "server.log"), "w+")
        proc = subprocess.Popen([server], env=env, stdout=log, stderr=subprocess.STDOUT)

        runs = []
        deadline = time.time() + 30
        while time.time() < deadline:
            expect(proc.poll() is None, f"worker exited early with {proc.returncode}")
            runs = json.loads(cli(task_cli, db, "-o", "json", "runs", task_id))
            if isinstance(runs, dict):
                runs = runs.get("executions", runs.get("items", []))
            if any(r.get("status") in ("completed", "failed") for r in runs):
                break
            time.sleep(0.2)
        expect(len(runs) == 1, f"expected one execution, got {runs}")
        run = runs[0]
        expect(run["trigger_type"] == "scheduled", f"trigger_type: {run}")
        expect(run["status"] == "completed", f"status: {run}")
        sched = datetime.datetime.fromisoformat(run["scheduled_for"].replace("Z", "+00:00"))
        expect(sched == slot, f"scheduled_for {run['scheduled_for']} != slot {at}")
        expect(not listening(port), f"worker mode listens on {port}")

        rc = stop(proc)
        log.seek(0)
        text = log.read()
        expect(rc == 0, f"exit code {rc}; log:\n{text}")
        expect("worker mode" in text, f"no 'worker mode' line in the log:\n{text}")
        proc = None
        print("e2e scheduler worker: ok")
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
