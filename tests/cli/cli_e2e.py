#!/usr/bin/python3
"""Black-box tests of the built task-cli (Python stdlib only).

usage: cli_e2e.py offline TASK_CLI
       cli_e2e.py local   TASK_CLI
       cli_e2e.py remote  TASK_CLI TASK_SERVER

offline: `next` against known cron cases (incl. a Europe/Berlin DST change), usage errors, help,
         completion, an unreachable server.
local:   every command on a temporary SQLite file (upcoming, preview, recurring todos with
         done/completions included); export -> import into an empty database ->
         identical export bytes; exit codes 2-7.
         bulk (ids, filter, bad inputs) and --idempotency-key (replay, key reuse).
remote:  the same scenario against a task-server started here on a free loopback port; import is
         refused (exit 2); a bad bearer token gives exit 8.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import free_port  # tests/support/e2e_support.py

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


class Cli:
    def __init__(self, binary, base_args, env=None):
        self.binary = binary
        self.base_args = base_args
        self.env = dict(os.environ if env is None else env)

    def run(self, *args, rc=0, stdin=None, extra_env=None):
        env = dict(self.env)
        env.update(extra_env or {})
        p = subprocess.run([self.binary, *self.base_args, *args], input=stdin,
                           capture_output=True, text=True, env=env, timeout=60)
        check(p.returncode == rc,
              f"{' '.join(args)}: exit {p.returncode}, expected {rc}; stderr={p.stderr.strip()}")
        if rc != 0:
            lines = p.stderr.strip().splitlines()
            check(len(lines) == 1 and lines[0].startswith("task-cli: error: "),
                  f"{' '.join(args)}: error must be one 'task-cli: error:' line, got {p.stderr!r}")
        return p

    def json(self, *args, rc=0, **kw):
        p = self.run(*args, rc=rc, **kw)
        try:
            return json.loads(p.stdout)
        except ValueError:
            check(False, f"{' '.join(args)}: stdout is not JSON: {p.stdout!r}")
            return {}


# --- offline --------------------------------------------------------------------------------

NEXT_CASES = [
    # weekdays at 09:00 UTC from Friday 2026-01-02 00:00Z
    (["0 9 * * 1-5", "--from", "2026-01-02T00:00:00Z", "--count", "4"],
     ["2026-01-02T09:00:00Z", "2026-01-05T09:00:00Z", "2026-01-06T09:00:00Z",
      "2026-01-07T09:00:00Z"]),
    # 02:30 Berlin does not exist on 2026-03-29 (CET -> CEST): fires at 03:00 CEST = 01:00Z
    (["cron:30 2 * * *@Europe/Berlin", "--from", "2026-03-27T12:00:00Z", "--count", "3"],
     ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"]),
    # 02:30 Berlin occurs twice on 2026-10-25 (CEST -> CET): fires once, at the first (00:30Z)
    (["daily:02:30", "--tz", "Europe/Berlin", "--from", "2026-10-24T12:00:00Z", "--count", "3"],
     ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z"]),
    # Vixie OR: day 1 of the month or Mondays
    (["0 0 1 * 1", "--from", "2026-05-29T00:00:00Z", "--count", "3"],
     ["2026-06-01T00:00:00Z", "2026-06-08T00:00:00Z", "2026-06-15T00:00:00Z"]),
    (["every:90m", "--from", "2026-01-01T00:00:00Z", "--count", "2"],
     ["2026-01-01T01:30:00Z", "2026-01-01T03:00:00Z"]),
    (["weekly:sunday@10:00@America/New_York", "--from", "2026-03-01T00:00:00Z", "--count", "2"],
     ["2026-03-01T15:00:00Z", "2026-03-08T14:00:00Z"]),
]


def offline(binary):
    cli = Cli(binary, [])
    for args, expected in NEXT_CASES:
        got = cli.json("next", *args)
        check(got == expected, f"next {args}: {got} != {expected}")
    p = cli.run("--output", "jsonl", "next", "@hourly", "--from", "2026-01-01T00:30:00Z", "-n", "2")
    check(p.stdout == '"2026-01-01T01:00:00Z"\n"2026-01-01T02:00:00Z"\n', f"jsonl next: {p.stdout!r}")
    p = cli.run("--output", "table", "next", "0 9 * * *", "--tz", "Europe/Berlin",
                "--from", "2026-07-01T00:00:00Z", "-n", "1")
    check("2026-07-01T07:00:00Z" in p.stdout and "CEST" in p.stdout, f"table next: {p.stdout!r}")
    cli.run("next", "61 * * * *", rc=3)
    cli.run("next", "hourly", rc=2)
    cli.run("next", "0 9 * * *", "--from", "yesterday", rc=2)
    cli.run("frobnicate", rc=2)
    cli.run("add", rc=2)                       # NAME missing
    cli.run("--output", "yaml", "list", rc=2)
    cli.run("add", "x", "--every", "15x", rc=2)
    cli.run("add", "x", "--config", "novalue", rc=2)
    cli.run("--db", "sqlite:///tmp/x.db", "--server", "http://127.0.0.1:1", "list", rc=2)
    help_text = cli.run("--help").stdout
    check("Exit codes:" in help_text and "7 unavailable" in help_text, "exit codes in --help")
    comp = cli.run("completion", "bash").stdout
    with open(os.path.join(os.path.dirname(__file__), "../../scripts/completion/task-cli.bash")) as f:
        check(comp == f.read(), "completion bash == scripts/completion/task-cli.bash")
    check(subprocess.run(["bash", "-n"], input=comp, text=True).returncode == 0, "completion parses")
    port = free_port()
    cli.run("--server", f"http://127.0.0.1:{port}", "list", rc=7)
    cli.run("--server", f"http://127.0.0.1:{port}", "import", rc=2, stdin="")
    cli.run("--server", "ftp://x", "list", rc=2)


# --- the shared scenario ----------------------------------------------------------------------

ID = re.compile(r"^tsk_[0-9a-f]{24}$")


def scenario(cli, local):
    ids = {}
    p = cli.run("add", "Buy milk", "--priority", "high", "--tag", "home", "--tag", "errands",
                "--due", "2026-12-01T10:00:00Z", "--quiet")
    ids["milk"] = p.stdout.strip()
    check(ID.match(ids["milk"]) is not None, f"add --quiet prints a task id: {p.stdout!r}")
    t = cli.json("add", "Standup", "--schedule", "cron:0 9 * * 1-5@Europe/Berlin",
                 "--description", "daily standup")
    ids["standup"] = t.get("task_id")
    check(t.get("status") == "scheduled" and t.get("next_run_time"), f"scheduled task: {t}")
    check((t.get("schedule") or {}).get("timezone") == "Europe/Berlin", f"schedule tz: {t}")
    t = cli.json("add", "Poll", "--type", "custom", "--every", "15m",
                 "--config", "url=https://example.com/hook", "--config", "method=GET")
    ids["poll"] = t.get("task_id")
    check((t.get("schedule") or {}).get("interval_seconds") == 900, f"--every 15m: {t}")
    t = cli.json("add", "Price", "--type", "price_tracker", "--credits", "2",
                 "--config", "product_url=https://shop.example/p/1", "--config", "target_price=19.99")
    ids["price"] = t.get("task_id")
    check(t.get("config", {}).get("target_price") == 19.99, f"config number: {t}")
    check(t.get("credits_per_run") == 2, f"credits: {t}")
    t = cli.json("add", "Once", "--at", "2026-12-01T09:00:00Z", "--type", "reminder")
    ids["once"] = t.get("task_id")
    check((t.get("schedule") or {}).get("type") == "once", f"--at: {t}")
    check(set(t) >= {"id", "task_id", "user_id", "config", "schedule", "run_count", "deleted_at"},
          "task JSON has the API fields")

    cli.run("add", "   ", rc=3)
    p = cli.run("add", "P", "--type", "price_tracker", rc=3)
    check("config" in p.stderr, f"validation names the field: {p.stderr!r}")
    cli.run("add", "x", "--schedule", "cron:99 * * * *", rc=3)
    cli.run("add", "x", "--priority", "whenever", rc=3)

    page = cli.json("list")
    check(page.get("total") == 5 and page.get("count") == 5, f"list total: {page.get('total')}")
    check(set(page) >= {"tasks", "count", "total", "limit", "offset", "next_cursor", "filters"},
          f"list page keys: {sorted(page)}")
    check([x["name"] for x in page["tasks"]] == ["Once", "Price", "Poll", "Standup", "Buy milk"],
          "list order: newest first")
    check(cli.json("list", "--tag", "home")["total"] == 1, "list --tag")
    check(cli.json("list", "--tag", "home", "--tag", "nope")["total"] == 0, "tags all must match")
    check(cli.json("list", "--priority", "high")["total"] == 1, "list --priority")
    check(cli.json("list", "--status", "scheduled")["total"] == 3, "list --status scheduled")
    check(cli.json("list", "--type", "custom")["total"] == 1, "list --type")
    check(cli.json("list", "-q", "milk")["total"] == 1, "list -q")
    check(cli.json("list", "--due-before", "2027-01-01T00:00:00Z")["total"] == 1, "--due-before")
    check(cli.json("list", "--due-after", "2027-01-01T00:00:00Z")["total"] == 0, "--due-after")
    two = cli.json("list", "--limit", "2")
    check(two["count"] == 2 and two["next_cursor"], "list --limit 2 has a next_cursor")
    rest = cli.json("list", "--limit", "2", "--cursor", two["next_cursor"])
    check([x["name"] for x in rest["tasks"]] == ["Poll", "Standup"], "list --cursor")
    check(cli.json("list", "--limit", "2", "--offset", "4")["count"] == 1, "list --offset")
    every = cli.json("list", "--limit", "2", "--all")
    check(len(every["tasks"]) == 5 and every["next_cursor"] is None, "list --all follows cursors")
    check(len(cli.run("--output", "jsonl", "list").stdout.splitlines()) == 5, "jsonl: a line each")
    check(len(cli.run("--quiet", "list").stdout.split()) == 5, "--quiet list")
    check("TASK_ID" in cli.run("--output", "table", "list").stdout, "table header")
    cli.run("list", "--status", "sleeping", rc=3)
    cli.run("list", "--limit", "0", rc=3)

    check(cli.json("show", ids["milk"])["name"] == "Buy milk", "show")
    cli.run("show", "tsk_000000000000000000000000", rc=4)
    cli.run("--user", "someone-else", "show", ids["milk"], rc=4)
    check("name:" in cli.run("--output", "table", "show", ids["milk"]).stdout, "show table")

    t = cli.json("edit", ids["price"], "--name", "Price watch", "--priority", "urgent",
                 "--config", "target_price=15")
    check(t.get("name") == "Price watch" and t.get("priority") == "urgent", f"edit: {t}")
    check(t.get("config") == {"product_url": "https://shop.example/p/1", "target_price": 15},
          f"edit --config merges: {t.get('config')}")
    t = cli.json("edit", ids["milk"], "--clear-due", "--tag", "shop")
    check(t.get("due_date") is None and t.get("tags") == ["shop"], f"edit clear/tags: {t}")
    t = cli.json("edit", ids["standup"], "--clear-schedule")
    check(t.get("schedule") is None and t.get("status") == "pending", f"clear schedule: {t}")
    t = cli.json("edit", ids["standup"], "--schedule", "weekly:monday@09:00@Europe/Berlin")
    check(t.get("status") == "scheduled", f"set schedule: {t}")
    cli.run("edit", ids["milk"], rc=2)
    cli.run("edit", ids["milk"], "--config", "x=1", "--name", "", rc=3)

    check(cli.json("done", ids["milk"]).get("is_completed") is True, "done")
    cli.run("pause", ids["milk"], rc=5)
    check(cli.json("reopen", ids["milk"]).get("status") == "pending", "reopen")
    check(cli.json("pause", ids["standup"]).get("status") == "paused", "pause")
    check(cli.json("resume", ids["standup"]).get("status") == "scheduled", "resume -> scheduled")
    check(cli.json("cancel", ids["once"]).get("status") == "cancelled", "cancel")
    cli.run("pause", ids["once"], rc=5)
    cli.run("run", ids["once"], rc=5)

    e = cli.json("run", ids["milk"])
    check(e.get("status") == "completed" and e.get("trigger_type") == "manual", f"run: {e}")
    check(str(e.get("execution_id", "")).startswith("exe_"), "run prints the execution")
    if local:
        check(e.get("id", 0) > 0, f"run prints the stored row (id {e.get('id')})")
    runs = cli.json("runs", ids["milk"])
    check(isinstance(runs, list) and len(runs) == 1, f"runs: {runs}")
    check(cli.json("show", ids["milk"]).get("run_count") == 1, "run_count after run")
    check("EXECUTION_ID" in cli.run("--output", "table", "runs", ids["milk"]).stdout, "runs table")
    check(cli.json("runs", ids["milk"], "--limit", "1", "--offset", "1") == [], "runs paging")

    templates = cli.json("templates")
    check(isinstance(templates, list) and len(templates) > 0, "templates")
    check(all(x.get("category") == "productivity" for x in cli.json("templates", "--category",
                                                                    "productivity")),
          "templates --category")
    simple = [x for x in templates if x.get("task_type") in ("todo", "reminder")]
    check(simple, "a todo/reminder template exists")
    if simple:
        tpl = simple[0]
        args = ["from-template", tpl["template_id"], "--name", "From template"]
        for field in tpl.get("required_fields", []):
            if field in ("due_date", "reminder_time"):
                args += ["--due" if field == "due_date" else "--remind", "2026-12-24T18:00:00Z"]
            elif field not in ("name",):
                args += ["--config", f"{field}=x"]
        t = cli.json(*args)
        ids["tpl"] = t.get("task_id")
        check(t.get("task_type") == tpl["task_type"] and t.get("name") == "From template",
              f"from-template: {t}")
    cli.run("from-template", "tpl_does_not_exist", rc=4)

    st = cli.json("stats", "--days", "7")
    check(st.get("total_tasks") == 6 and st.get("total_executions") == 1, f"stats: {st}")
    check(st.get("time_period") == "Last 7 days", "stats days")
    cli.run("stats", "--days", "0", rc=3)

    r = cli.json("rm", ids["poll"])
    check(r.get("message") == "Task deleted successfully", f"rm: {r}")
    cli.run("rm", ids["poll"], rc=4)
    check(cli.json("list")["total"] == 5, "rm hides the task")

    for i in range(30):    # default tier basic: 20 tasks
        p = cli.run("--user", "quota-user", "add", f"t{i}", rc=0 if i < 20 else 6)
        if i >= 20:
            check("limit" in p.stderr, f"quota message: {p.stderr!r}")
            break
    return ids


def export_import(cli_src, make_empty_cli, tasks, executions):
    """Exports, imports into an empty database, exports again: the same bytes, storage row ids
    included (docs/cli.md "Export and import")."""
    first = cli_src.run("export").stdout
    lines = first.splitlines()
    check(len(lines) == tasks, f"export: one line per task ({len(lines)} != {tasks})")
    recs = [json.loads(x) for x in lines]
    check(all(set(r) == {"task", "executions"} for r in recs), "export record shape")
    check(sum(len(r["executions"]) for r in recs) == executions, "export carries executions")
    dst = make_empty_cli()
    dst.run("import", stdin=first)
    second = dst.run("export").stdout
    check(second == first, "export -> import -> export: the same bytes")
    new = dst.json("add", "after import")
    check(new.get("id", 0) > max(r["task"]["id"] for r in recs),
          f"a task added after import gets a row id above the imported ones ({new.get('id')})")
    dst.run("import", rc=5, stdin=first)                  # task_ids exist already
    dst.run("import", rc=2, stdin="not json\n")
    return first


def varied_source(cli):
    """A database of one user with varied fields and executions, for the byte-identity test."""
    a = cli.run("add", "Plain", "-q").stdout.strip()
    b = cli.run("add", "Hourly", "--every", "1h", "--tag", "x", "--tag", "y", "--priority", "low",
                "--config", "k=[1,2]", "--metadata-json", '{"m":true}', "-q").stdout.strip()
    c = cli.run("add", "Due", "--due", "2026-12-01T10:00:00.123456Z", "--remind",
                "2026-11-30T10:00:00+02:00", "-d", "with description", "-q").stdout.strip()
    cli.run("add", "Cron", "--schedule", "cron:0 7 * * 1-5@Europe/Berlin", "--credits", "1.5")
    cli.run("run", a)
    cli.run("run", b)
    cli.run("run", a)
    cli.run("done", c)
    cli.run("pause", b)


def plan_scenario(cli):
    """docs/api.md §16 through the CLI: preview and upcoming (computed by the service), recurring
    todos (`done` prints the next due date), completions."""
    got = cli.json("preview", "daily:02:30@Europe/Berlin", "--from", "2026-03-27T12:00:00Z",
                   "-n", "3")
    check([r.get("at") for r in got.get("runs", [])] ==
          ["2026-03-28T01:30:00Z", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"],
          f"preview across the Berlin spring-forward: {got}")
    check(got.get("timezone") == "Europe/Berlin" and
          got["runs"][1].get("local") == "2026-03-29T03:00:00+02:00", f"preview local: {got}")
    p = cli.run("--output", "jsonl", "preview", "every:90m", "-n", "2")
    check(len(p.stdout.splitlines()) == 2, f"preview jsonl: one run per line: {p.stdout!r}")
    cli.run("preview", "daily:02:30", "-n", "0", rc=3)
    cli.run("preview", "daily:02:30", "-n", "101", rc=3)
    cli.run("preview", "daily:02:30", "--from", "soon", rc=3)
    cli.run("preview", "cron:61 * * * *", rc=3)
    cli.run("preview", "hourly", rc=2)

    t = cli.json("add", "Weekly sync", "--schedule", "weekly:monday@08:00@America/New_York")
    up = cli.json("upcoming", t.get("task_id", ""), "-n", "4")
    runs = up.get("runs", [])
    check(len(runs) == 4 and runs[0].get("at") == t.get("next_run_time"),
          f"upcoming starts at next_run_time: {up} / {t}")
    check(all(r.get("local", "")[10:19] == "T08:00:00" for r in runs), f"upcoming local: {runs}")
    check(up.get("timezone") == "America/New_York", f"upcoming timezone: {up}")
    table = cli.run("--output", "table", "upcoming", t["task_id"], "-n", "2").stdout
    check("timezone: America/New_York" in table and "LOCAL" in table, f"upcoming table: {table!r}")
    cli.run("upcoming", t["task_id"], "-n", "101", rc=3)
    cli.run("upcoming", "tsk_000000000000000000000000", rc=4)
    plain = cli.json("add", "No schedule")
    check(cli.json("upcoming", plain["task_id"]).get("runs") == [], "no schedule: no runs")

    r = cli.json("add", "Water plants", "--due", "2030-01-07T08:00:00Z", "--remind",
                 "2030-01-07T07:30:00Z", "--recur", "daily:09:00@Europe/Warsaw")
    rid = r.get("task_id", "")
    check((r.get("recurrence") or {}).get("anchor") == "due", f"add --recur: {r}")
    p = cli.run("--output", "table", "done", rid)
    check("next due: 2030-01-08T08:00:00Z" in p.stdout, f"done prints the next due date: {p.stdout!r}")
    d = cli.json("show", rid)
    check(d.get("status") == "pending" and d.get("due_date") == "2030-01-08T08:00:00Z" and
          d.get("reminder_time") == "2030-01-08T07:30:00Z", f"recurring todo moved on: {d}")
    d = cli.json("done", rid)
    check(d.get("due_date") == "2030-01-09T08:00:00Z", f"second done: {d}")
    c = cli.json("completions", rid)
    check([x.get("due_date") for x in c] == ["2030-01-08T08:00:00Z", "2030-01-07T08:00:00Z"],
          f"completions newest first: {c}")
    check(len(cli.json("completions", rid, "--limit", "1")) == 1, "completions --limit")
    p = cli.run("--output", "table", "completions", rid)
    check("DUE_DATE" in p.stdout and "2030-01-07T08:00:00Z" in p.stdout, f"table: {p.stdout!r}")
    cli.run("completions", "tsk_000000000000000000000000", rc=4)
    # a manual run of a recurring todo is not a completion: it stays open on the same occurrence
    cli.run("run", rid)
    d = cli.json("show", rid)
    check(d.get("status") == "pending" and d.get("due_date") == "2030-01-09T08:00:00Z" and
          d.get("run_count") == 1 and len(cli.json("completions", rid)) == 2,
          f"run of a recurring todo leaves it open: {d}")
    cli.run("add", "No due", "--recur", "daily:09:00", rc=3)
    cli.run("add", "Once", "--due", "2030-01-01T00:00:00Z", "--recur", "once:2030-01-02T00:00", rc=3)
    cli.run("add", "Anchor only", "--anchor", "due", rc=2)
    e = cli.json("edit", rid, "--clear-recur")
    check(e.get("recurrence") is None, f"--clear-recur: {e}")
    p = cli.run("--output", "table", "done", rid)
    check("next due" not in p.stdout and "completed" in p.stdout, f"done closes it now: {p.stdout!r}")
    f = cli.json("from-template", "tpl_todo", "--due", "2030-01-07T08:00:00Z", "--recur",
                 "daily:09:00@Europe/Warsaw", "--anchor", "completion")
    check((f.get("recurrence") or {}).get("anchor") == "completion", f"from-template --recur: {f}")
    f = cli.json("done", f.get("task_id", ""))
    check(f.get("status") == "pending" and f.get("due_date") == "2030-01-08T08:00:00Z",
          f"from-template recurring todo moves on: {f}")
    cli.run("from-template", "tpl_todo", "--recur", "daily:09:00", rc=3)   # no due date
    a = cli.json("add", "Every 3 days", "--due", "2030-01-01T09:00:00Z", "--recur",
                 "every:3d", "--anchor", "completion")
    check((a.get("recurrence") or {}).get("anchor") == "completion", f"--anchor completion: {a}")


def bulk_scenario(cli, local):
    """docs/api.md §16 through the CLI: `bulk` by ids and by filter with per-task results, its bad
    inputs, and --idempotency-key on add, from-template, run and bulk (replays, key reuse)."""
    ids = [cli.run("add", f"Bulk {i}", "--tag", "bulkx", "--quiet").stdout.strip() for i in range(3)]
    got = cli.json("bulk", "pause", *ids)
    check(got.get("action") == "pause" and got.get("matched") == 3 and got.get("changed") == 3,
          f"bulk pause: {got}")
    check([r.get("task_id") for r in got.get("results", [])] == ids and
          all(r.get("ok") is True and r.get("status") == "paused" for r in got["results"]),
          f"bulk pause results: {got}")
    check(all(cli.json("show", i).get("status") == "paused" for i in ids), "bulk pause stored")
    # a missing (or another user's) id: reported as 404, the others still change; exit 4 as `pause`
    missing = "tsk_000000000000000000000000"
    p = cli.run("--output", "json", "bulk", "resume", ids[0], missing, rc=4)
    got = json.loads(p.stdout or "{}")
    res = {r.get("task_id"): r for r in got.get("results", [])}
    check(res.get(ids[0], {}).get("ok") is True and
          res.get(missing, {}).get("error", {}).get("status") == 404 and got.get("matched") == 1,
          f"bulk with a missing id: {got}")
    check("1 of 2 task(s) failed" in p.stderr, f"bulk failure names the count: {p.stderr!r}")
    check(cli.json("show", ids[0]).get("status") == "pending", "bulk resume changed the rest")
    # by filter; table and jsonl output
    table = cli.run("--output", "table", "bulk", "resume", "--tag", "bulkx").stdout
    check("resume: matched 3, changed 2" in table and "TASK_ID" in table and ids[1] in table,
          f"bulk table: {table!r}")
    lines = cli.run("--output", "jsonl", "bulk", "pause", "--tag", "bulkx").stdout.splitlines()
    check(len(lines) == 3 and all(json.loads(x).get("status") == "paused" for x in lines),
          f"bulk jsonl: one result per line: {lines}")
    # conflicts per task: cancel then pause -> 409 each, exit 5
    cli.json("bulk", "cancel", ids[2])
    p = cli.run("--output", "json", "bulk", "pause", ids[2], rc=5)
    check(json.loads(p.stdout or "{}").get("results", [{}])[0].get("error", {}).get("status") == 409,
          f"bulk conflict: {p.stdout!r}")
    # bad inputs change nothing
    before = [cli.json("show", i).get("status") for i in ids]
    cli.run("bulk", "frobnicate", ids[0], rc=3)                       # unknown action (422)
    too_many = "\n".join(ids[:1] + [f"tsk_{n:024x}" for n in range(1000)]) + "\n"
    p = cli.run("bulk", "resume", "--ids-file", "-", stdin=too_many, rc=3)   # 1,001 ids
    check("at most 1000" in p.stderr, f"1,001 ids: {p.stderr!r}")
    cli.run("bulk", "resume", ids[0], ids[0], rc=3)                   # duplicate id
    cli.run("bulk", "resume", rc=2)                                    # neither ids nor filter
    cli.run("bulk", "resume", ids[0], "--tag", "bulkx", rc=2)          # both
    cli.run("bulk", "resume", "--status", "sleeping", rc=3)            # bad filter value
    cli.run("bulk", "resume", "--ids-file", "/nonexistent/ids", rc=2)
    check([cli.json("show", i).get("status") for i in ids] == before, "bad bulk changed nothing")
    # run: one manual run per task, each named by its execution id
    got = cli.json("bulk", "run", ids[0], ids[1])
    check(all(r.get("ok") and str(r.get("execution_id", "")).startswith("exe_")
              for r in got.get("results", [])), f"bulk run: {got}")
    runs = []
    for _ in range(100):                  # remote: queued on the server's pool (bounded wait)
        runs = [cli.json("runs", i) for i in ids[:2]]
        if all(len(r) == 1 and r[0].get("status") != "running" for r in runs):
            break
        time.sleep(0.05)
    check(all(len(r) == 1 for r in runs) and
          {r[0]["execution_id"] for r in runs} == {x["execution_id"] for x in got["results"]},
          f"bulk run executions: {runs}")

    # --idempotency-key
    total = cli.json("list").get("total")
    first = cli.run("--idempotency-key", "order-17", "add", "Keyed", "--tag", "k").stdout
    again = cli.run("--idempotency-key", "order-17", "add", "Keyed", "--tag", "k").stdout
    check(first == again and json.loads(first).get("name") == "Keyed",
          f"repeated add answers the first task: {first!r} / {again!r}")
    check(cli.json("list").get("total") == total + 1, "repeated add created one task")
    p = cli.run("--idempotency-key", "order-17", "add", "Other", rc=3)   # 422 key reuse
    check("different request" in p.stderr, f"key reuse: {p.stderr!r}")
    cli.run("--idempotency-key", "x" * 256, "add", "Long key", rc=3)
    cli.run("--idempotency-key", "k", "list", rc=2)
    check(cli.json("list").get("total") == total + 1, "refused keyed adds created nothing")
    fresh = [cli.run("add", f"Keyed bulk {i}", "--quiet").stdout.strip() for i in range(2)]
    b1 = cli.run("--idempotency-key", "bulk-1", "bulk", "pause", *fresh).stdout
    b2 = cli.run("--idempotency-key", "bulk-1", "bulk", "pause", *fresh).stdout
    check(b1 == b2 and json.loads(b1 or "{}").get("changed") == 2, f"bulk replay: {b1!r} / {b2!r}")
    check(cli.json("bulk", "pause", *fresh).get("changed") == 0, "unkeyed: nothing left to pause")
    cli.run("--idempotency-key", "bulk-1", "bulk", "resume", *fresh, rc=3)
    r1 = cli.json("--idempotency-key", "run-1", "run", ids[1])
    r2 = cli.json("--idempotency-key", "run-1", "run", ids[1])
    check(r1.get("execution_id") == r2.get("execution_id") and r1.get("execution_id"),
          f"run replay: {r1} / {r2}")
    check(len(cli.json("runs", ids[1])) == 2, "keyed run ran once (plus the bulk run)")
    tpl = next((x for x in cli.json("templates")
                if x.get("task_type") == "todo" and set(x.get("required_fields", [])) <= {"name"}),
               None)
    check(tpl is not None, "a todo template without required fields")
    if tpl:
        t1 = cli.json("--idempotency-key", "tpl-1", "from-template", tpl["template_id"])
        t2 = cli.json("--idempotency-key", "tpl-1", "from-template", tpl["template_id"])
        check(t1.get("task_id") and t1.get("task_id") == t2.get("task_id"),
              f"from-template replay: {t1} / {t2}")


# --- local --------------------------------------------------------------------------------------

def local(binary):
    root = tempfile.mkdtemp(prefix="cli-e2e-")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASK_")}
        env["USER"] = "alice"
        db = f"sqlite://{root}/a.db"
        cli = Cli(binary, ["--db", db], env)
        out = cli.run("db", "migrate").stdout
        check(out.strip() != "", "db migrate reports")
        cli.run("db", "migrate")                                 # idempotent
        scenario(cli, True)
        plan_scenario(Cli(binary, ["--db", db, "--user", "planner"], env))
        bulk_scenario(Cli(binary, ["--db", db, "--user", "bulker"], env), True)
        counter = iter(range(100))
        fresh = lambda: Cli(binary, ["--db", f"sqlite://{root}/b{next(counter)}.db"], env)
        export_import(cli, fresh, tasks=5, executions=1)
        src = fresh()
        varied_source(src)
        export_import(src, fresh, tasks=4, executions=3)
        # default database: <data-dir>/tasks.db, TASK_DATA_DIR honoured
        d = Cli(binary, ["--data-dir", f"{root}/dd"], env)
        d.run("add", "in data dir")
        check(os.path.exists(f"{root}/dd/tasks.db"), "default database under --data-dir")
        env2 = dict(env, TASK_DATA_DIR=f"{root}/ee")
        Cli(binary, [], env2).run("add", "via env")
        check(os.path.exists(f"{root}/ee/tasks.db"), "TASK_DATA_DIR")
        check(Cli(binary, [], env2).json("list")["tasks"][0]["user_id"] == "alice", "$USER default")
        Cli(binary, ["--db", "postgresql://app@127.0.0.1:1/nodb"], env).run("list", rc=7)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- remote -------------------------------------------------------------------------------------

def start_server(server, root, extra_env):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASK_")}
    env.update({"TASK_PORT": str(port), "TASK_BIND": "127.0.0.1", "TASK_DATA_DIR": root,
                "TASK_SCHEDULER": "off", "LOG_LEVEL": "warn"})
    env.update(extra_env)
    log = open(os.path.join(root, "server.log"), "w")
    proc = subprocess.Popen([server], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/health", timeout=1)
            return proc, url
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"task-server did not start (see {root}/server.log)")


def remote(binary, server):
    root = tempfile.mkdtemp(prefix="cli-e2e-remote-")
    procs = []
    try:
        proc, url = start_server(server, root, {})
        procs.append(proc)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TASK_")}
        cli = Cli(binary, ["--server", url, "--user", "bob"], env)
        scenario(cli, False)
        plan_scenario(Cli(binary, ["--server", url, "--user", "planner"], env))
        bulk_scenario(Cli(binary, ["--server", url, "--user", "bulker"], env), False)
        # The records are the database's: the same key and request through the local mode on
        # the server's database replays what the server answered.
        keyed = ["--idempotency-key", "order-17", "add", "Keyed", "--tag", "k"]
        over_server = Cli(binary, ["--server", url, "--user", "bulker"], env).json(*keyed)
        over_db = Cli(binary, ["--db", f"sqlite://{root}/tasks.db", "--user", "bulker"], env).json(*keyed)
        check(over_db.get("task_id") == over_server.get("task_id"),
              f"local replay of a server's keyed add: {over_db} / {over_server}")
        first = cli.run("export").stdout
        check(len(first.splitlines()) == 5, "remote export")
        cli.run("import", rc=2, stdin=first)
        cli.run("db", "migrate", rc=2)
        # TASK_SERVER / TASK_USER from the environment
        via_env = Cli(binary, [], dict(env, TASK_SERVER=url, TASK_USER="bob")).json("list")
        check(via_env.get("total") == 5, "TASK_SERVER and TASK_USER")
        # JWT mode: a bad token is refused (401 -> exit 8)
        jroot = os.path.join(root, "jwt")
        os.makedirs(jroot)
        jproc, jurl = start_server(server, jroot, {"TASK_JWT_SECRET": "s3cret"})
        procs.append(jproc)
        Cli(binary, ["--server", jurl, "--token", "not.a.jwt"], env).run("list", rc=8)
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(root, ignore_errors=True)


def main():
    mode, binary = sys.argv[1], sys.argv[2]
    if mode == "offline":
        offline(binary)
    elif mode == "local":
        local(binary)
    elif mode == "remote":
        remote(binary, sys.argv[3])
    else:
        raise SystemExit(__doc__)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print(f"cli_e2e {mode}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
