"""libtask.Service over the C ABI: CRUD on memory, SQLite and PostgreSQL, paging, executions,
templates, analytics, a `once` task run through step(now), the background scheduler, error
mapping and concurrent use from threads."""
import os
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

import libtask


def test_versions_agree():
    assert libtask.__version__ == libtask.library_version()
    expected = os.environ.get("TASK_EXPECTED_VERSION")
    if expected:
        assert libtask.__version__ == expected


def test_crud(url):
    with libtask.Service.open(url) as svc:
        t = svc.create_task("alice", {"name": "Buy milk", "task_type": "todo", "tags": ["home"],
                                      "priority": "high"})
        assert t["task_id"].startswith("tsk_") and t["status"] == "pending"
        got = svc.get_task("alice", t["task_id"])
        assert got["name"] == "Buy milk" and got["tags"] == ["home"]

        updated = svc.update_task("alice", t["task_id"], {"description": "2 litres"},
                                  if_match=got["etag"])
        assert updated["description"] == "2 litres" and updated["etag"] != got["etag"]
        with pytest.raises(libtask.PreconditionFailed) as e:
            svc.update_task("alice", t["task_id"], {"priority": "low"}, if_match=got["etag"])
        assert e.value.detail["etag"] == updated["etag"]

        page = svc.list_tasks("alice", priority="high")
        assert page["total"] == 1 and page["tasks"][0]["task_id"] == t["task_id"]
        assert svc.list_tasks("alice", tag=["home"])["total"] == 1

        gone = svc.delete_task("alice", t["task_id"])
        assert gone == {"message": "Task deleted successfully", "task_id": t["task_id"]}
        with pytest.raises(libtask.NotFound) as e:
            svc.get_task("alice", t["task_id"])
        assert e.value.detail == {"detail": "Task not found", "task_id": t["task_id"]}
        assert e.value.http_status == 404 and e.value.name == "not_found"


def test_paging_follows_the_cursor(url):
    with libtask.Service.open(url) as svc:
        ids = {svc.create_task("pager", {"name": f"t{i}", "task_type": "todo"})["task_id"]
               for i in range(5)}
        first = svc.list_tasks("pager", limit=2)
        assert first["count"] == 2 and first["total"] == 5 and first["next_cursor"]
        assert {t["task_id"] for t in svc.iter_tasks("pager", limit=2)} == ids


def test_execute_templates_analytics(url):
    with libtask.Service.open(url) as svc:
        t = svc.create_task("bob", {"name": "Ping", "task_type": "todo"})
        run = svc.execute_task("bob", t["task_id"], trigger_data={"why": "test"})
        assert run["status"] == "completed" and run["trigger_type"] == "manual"
        assert run["trigger_data"] == {"why": "test"}
        svc.execute_task("bob", t["task_id"])
        page = svc.get_executions("bob", t["task_id"], limit=1)
        assert page["total"] == 2 and len(page["executions"]) == 1
        assert len(list(svc.iter_executions("bob", t["task_id"], page_size=1))) == 2

        templates = svc.list_templates("bob", task_type="todo")
        assert [x["template_id"] for x in templates] == ["tpl_todo"]
        made = svc.create_from_template("bob", {"template_id": "tpl_todo", "name": "From tpl"})
        assert made["name"] == "From tpl"
        stats = svc.get_analytics("bob", days=7)
        assert stats["total_tasks"] == 2 and stats["total_executions"] == 2


def test_once_task_runs_through_step(durable_url):
    with libtask.Service.open(durable_url) as svc:
        run_at = datetime(2099, 1, 1, 9, 0, tzinfo=timezone.utc)
        t = svc.create_task("carol", {"name": "Once", "task_type": "reminder",
                                      "schedule": {"type": "once", "run_at": "2099-01-01T09:00:00Z"}})
        assert t["status"] == "scheduled" and t["next_run_time"] == "2099-01-01T09:00:00Z"
        assert svc.step(run_at - timedelta(minutes=1))["runs"] == 0
        assert svc.step(run_at + timedelta(seconds=1))["runs"] == 1
        assert svc.step("2099-01-01T10:00:00Z")["runs"] == 0  # ran once, exactly
        runs = svc.get_executions("carol", t["task_id"])
        assert runs["total"] == 1
        assert runs["executions"][0]["trigger_type"] == "scheduled"
        assert runs["executions"][0]["scheduled_for"] == "2099-01-01T09:00:00Z"
        assert svc.get_task("carol", t["task_id"])["status"] == "completed"


def test_background_scheduler_runs_a_due_task(sqlite_url):
    with libtask.Service.open(sqlite_url, {"workers": 2}) as svc:
        assert not svc.scheduler_running
        svc.start_scheduler()
        assert svc.scheduler_running
        due = (datetime.now(timezone.utc) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        t = svc.create_task("dave", {"name": "Soon", "task_type": "todo",
                                     "schedule": {"type": "once", "run_at": due}})
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and svc.get_executions("dave", t["task_id"])["total"] == 0:
            time.sleep(0.05)
        assert svc.get_executions("dave", t["task_id"])["total"] == 1
        svc.stop_scheduler()
        assert not svc.scheduler_running


def test_error_mapping():
    with libtask.Service.open("memory:") as svc:
        with pytest.raises(libtask.ValidationError) as e:
            svc.create_task("erin", {"task_type": "todo"})
        assert {"loc": ["body", "name"], "msg": "Field required", "type": "missing"} in e.value.errors
        assert e.value.http_status == 422 and isinstance(e.value, ValueError)
        with pytest.raises(libtask.ValidationError):
            svc.create_task("erin", {"name": "x", "task_type": "custom",
                                     "schedule": {"type": "cron", "expression": "99 * * * *"}})
        with pytest.raises(libtask.ValidationError) as e:
            svc.list_tasks("erin", limit="many")
        assert e.value.errors[0]["loc"] == ["query", "limit"]
        with pytest.raises(libtask.ValidationError):
            svc.create_task("", {"name": "x", "task_type": "todo"})
        with pytest.raises(libtask.ValidationError):
            svc.step("not a time")
        with pytest.raises(libtask.InvalidArgument):
            svc.step(datetime(2030, 1, 1))  # naive

        t = svc.create_task("erin", {"name": "x", "task_type": "todo"})
        svc.update_task("erin", t["task_id"], {"status": "cancelled"})
        with pytest.raises(libtask.Conflict) as e:
            svc.update_task("erin", t["task_id"], {"status": "pending"})
        assert e.value.detail["from"] == "cancelled"

        with pytest.raises(libtask.UpgradeRequired) as e:
            svc.create_from_template("erin", {"template_id": "tpl_price_tracker"})
        assert isinstance(e.value, libtask.PermissionDenied)
        assert e.value.detail["required_level"] == "pro"
        with pytest.raises(libtask.NotFound) as e:
            svc.create_from_template("erin", {"template_id": "tpl_missing"})
        assert e.value.detail["detail"] == "Template not found"

        for i in range(19):  # 20 tasks at the basic level
            svc.create_task("erin", {"name": f"n{i}", "task_type": "todo"})
        with pytest.raises(libtask.QuotaExceeded) as e:
            svc.create_task("erin", {"name": "one too many", "task_type": "todo"})
        assert e.value.detail["limit_type"] == "tasks" and e.value.detail["limit"] == 20
        assert svc.list_tasks("erin")["total"] == 20  # nothing lost, nothing extra

    with pytest.raises(libtask.InvalidArgument):
        svc.get_task("erin", "tsk_x")  # closed
    with pytest.raises(libtask.Unavailable):
        libtask.Service.open("ftp://nowhere")
    with pytest.raises(libtask.Unavailable):
        libtask.Service.open("postgresql://app@127.0.0.1:1/none")
    with pytest.raises(libtask.ValidationError) as e:
        libtask.Service.open("memory:", {"no-such-setting": 1})
    assert e.value.errors[0]["loc"] == ["config", "no-such-setting"]


def test_concurrent_threads(durable_url):
    errors = []
    with libtask.Service.open(durable_url, {"db-pool": 4}) as svc:
        def worker(n):
            try:
                user = f"thread-{n}"
                mine = [svc.create_task(user, {"name": f"{user}-{i}", "task_type": "todo"})
                        for i in range(4)]
                for t in mine:
                    assert svc.get_task(user, t["task_id"])["name"] == t["name"]
                    svc.execute_task(user, t["task_id"])
                assert svc.list_tasks(user)["total"] == 4
                with pytest.raises(libtask.NotFound):
                    svc.get_task(f"thread-{(n + 1) % 8}", mine[0]["task_id"])
            except BaseException as e:  # reported by the main thread
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=60)
        assert not any(th.is_alive() for th in threads)
        assert not errors, errors
        assert sum(svc.get_analytics(f"thread-{n}")["total_executions"] for n in range(8)) == 32


def test_close_waits_for_calls_in_progress(sqlite_url):
    svc = libtask.Service.open(sqlite_url)
    done = []

    def busy():
        for i in range(20):
            try:
                svc.create_task("frank", {"name": f"f{i % 5}", "task_type": "todo"})
                svc.list_tasks("frank")
            except (libtask.InvalidArgument, libtask.QuotaExceeded):
                pass
        done.append(True)

    th = threading.Thread(target=busy)
    th.start()
    time.sleep(0.01)
    svc.close()
    th.join(timeout=30)
    assert done and svc.closed
    svc.close()  # idempotent
