#!/usr/bin/python3
"""E2E: task-server with MQTT_URL against Debian's mosquitto (started here on a loopback port,
stopped at the end). A client subscribed with mosquitto_sub to its user's topic
task_service/<user>/task/# receives the task.created event of a request that carried a W3C
traceparent (same trace id, tracestate passed on), then the task.reminder_triggered event when
the reminder fires; /health/detailed reports the mqtt component.
Usage: mqtt_reminder.py TASK_SERVER MOSQUITTO MOSQUITTO_SUB MOSQUITTO_PUB PORT"""
import datetime
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import expect, free_port, listening, port_free, stop

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"


def http(port, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, json.loads(r.read() or b"null")


def main():
    server, mosquitto, mosquitto_sub, mosquitto_pub = sys.argv[1:5]
    port = int(sys.argv[5])
    if not port_free(port):
        port = free_port()
    tmp = tempfile.mkdtemp(prefix="task-e2e-mqtt-")
    broker = sub = proc = None
    try:
        conf = os.path.join(tmp, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
        broker = subprocess.Popen([mosquitto, "-c", conf], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not listening(port):
            expect(time.time() < deadline and broker.poll() is None, "mosquitto did not start")
            time.sleep(0.05)

        user = f"mqtt-e2e-{os.getpid()}"
        topic = f"task_service/{user}/task/#"
        sub = subprocess.Popen([mosquitto_sub, "-h", "127.0.0.1", "-p", str(port), "-q", "1",
                                "-t", topic, "-v", "-W", "60"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in sub.stdout], daemon=True).start()

        def next_message(timeout):
            line = lines.get(timeout=timeout)
            t, _, body = line.rstrip("\n").partition(" ")
            return t, body

        # The subscription is in place once a probe published to the topic comes back.
        probe_topic = f"task_service/{user}/task/probe"
        for _ in range(100):
            subprocess.run([mosquitto_pub, "-h", "127.0.0.1", "-p", str(port), "-q", "1",
                            "-t", probe_topic, "-m", "probe"], check=True, timeout=10)
            try:
                t, body = next_message(0.2)
                expect(t == probe_topic, f"unexpected message {t} {body}")
                break
            except queue.Empty:
                continue
        else:
            raise AssertionError("mosquitto_sub never received the probe")
        while not lines.empty():
            lines.get()

        http_port = free_port()
        env = {**os.environ, "TASK_PORT": str(http_port), "TASK_BIND": "127.0.0.1",
               "TASK_DATABASE_URL": "sqlite://" + os.path.join(tmp, "tasks.db"),
               "TASK_DATA_DIR": tmp, "MQTT_URL": f"mqtt://127.0.0.1:{port}", "TASK_UI": "off",
               "LOG_LEVEL": "info"}
        for k in ("NATS_URL", "NOTIFICATION_SERVICE_URL", "TASK_SCHEDULER", "TASK_JWT_SECRET"):
            env.pop(k, None)
        log = open(os.path.join(tmp, "server.log"), "w+")
        proc = subprocess.Popen([server], env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            expect(proc.poll() is None, f"task-server exited with {proc.returncode}")
            expect(time.time() < deadline, "task-server did not become healthy with MQTT")
            try:
                _, health = http(http_port, "GET", "/health/detailed")
                if health["components"].get("mqtt", {}).get("connected"):
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.1)
        expect(health["components"]["mqtt"]["broker"] == f"mqtt://127.0.0.1:{port}",
               f"health: {health['components']['mqtt']}")

        at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2))
        status, task = http(http_port, "POST", "/api/v1/tasks",
                            {"name": "stand up", "task_type": "reminder",
                             "reminder_time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
                            {"X-User-ID": user, "traceparent": TRACEPARENT,
                             "tracestate": "vendor=e2e"})
        expect(status == 201, f"create: {status} {task}")
        task_id = task["task_id"]

        t, body = next_message(20)
        created = json.loads(body)
        expect(t == f"task_service/{user}/task/created", f"first topic {t}")
        expect(created["type"] == "task.created" and created["subject"] == task_id, body)
        parts = created.get("traceparent", "").split("-")
        expect(len(parts) == 4 and parts[1] == TRACE_ID and parts[2] != "b7ad6b7169203331",
               f"traceparent of the created event: {created.get('traceparent')}")
        expect(created.get("tracestate") == "vendor=e2e", f"tracestate: {created}")

        t, body = next_message(30)
        fired = json.loads(body)
        expect(t == f"task_service/{user}/task/reminder_triggered", f"second topic {t}: {body}")
        expect(fired["type"] == "task.reminder_triggered", body)
        expect(fired["data"]["task_id"] == task_id and fired["data"]["user_id"] == user, body)
        expect(fired["id"] != created["id"], "two events, two ids")
        fired_tp = fired.get("traceparent", "").split("-")
        expect(len(fired_tp) == 4 and fired_tp[1] != TRACE_ID,
               f"the reminder has its own trace: {fired.get('traceparent')}")

        rc = stop(proc)
        expect(rc == 0, f"task-server exit code {rc}")
        proc = None
        print("e2e mqtt reminder: ok")
    finally:
        for p in (proc, sub, broker):
            stop(p, 10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
