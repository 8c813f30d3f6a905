"""libtask from Python: a todo, a one-off reminder driven by the host's clock, errors, paging.

    python3 quickstart.py [DATABASE_URL]      (default sqlite://quickstart.db, recreated)
"""
import os
import sys
from datetime import datetime, timezone

import libtask

url = sys.argv[1] if len(sys.argv) > 1 else "sqlite://quickstart.db"
if len(sys.argv) == 1 and os.path.exists("quickstart.db"):
    os.remove("quickstart.db")  # start afresh: the basic level allows 20 tasks

with libtask.Service.open(url) as svc:
    todo = svc.create_task("alice", {"name": "Buy milk", "task_type": "todo", "tags": ["home"]})
    run = svc.execute_task("alice", todo["task_id"])
    print("manual run:", run["status"])

    once = svc.create_task("alice", {
        "name": "Renew passport", "task_type": "reminder",
        "schedule": {"type": "once", "run_at": "2030-03-01T09:00:00Z"},
    })
    # The host owns time: one scheduler round when the reminder is due.
    report = svc.step(datetime(2030, 3, 1, 9, 0, tzinfo=timezone.utc))
    print("step:", report)
    print("reminder status:", svc.get_task("alice", once["task_id"])["status"])

    try:
        svc.get_task("bob", todo["task_id"])
    except libtask.NotFound as e:
        print("bob:", e.name, e.detail)
    try:
        svc.create_task("alice", {"task_type": "todo"})
    except libtask.ValidationError as e:
        print("invalid:", [err["loc"] for err in e.errors])

    for t in svc.iter_tasks("alice", limit=1):
        print(t["task_id"], t["name"], t["status"])
