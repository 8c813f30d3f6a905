#!/usr/bin/python3
"""E2E: a three-node NATS JetStream cluster (stream TASK_SERVICE with 3 replicas) and two
task-server replicas on one PostgreSQL. During 1,000 writes (creates, spread over both replicas)
the node one replica is connected to is killed with SIGKILL. Checks: no write fails; both relays
reconnect to surviving nodes; every event of the outbox arrives at a subscriber on a surviving
node exactly once after dedupe by CloudEvents id; the stream holds each event once (Nats-Msg-Id)
with 3 replicas configured; nothing is left unpublished in the outbox.
Usage: nats_cluster.py TASK_SERVER NATS_SERVER PG_URL BASE_PORT
(ports BASE..BASE+8: client, route and monitoring port of each node; taken ones -> free ones)."""
import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from e2e_support import ScratchDatabase, expect, free_port, port_free, stop
from nats_wire import NatsConn

WRITES = 1000
KILL_AT = 300


def pick_ports(base, n):
    return [base + i if port_free(base + i) else free_port() for i in range(n)]


def http(port, method, path, body=None, headers=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def monitor(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return json.loads(r.read())


def main():
    server, nats_server, pg_url, base = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    started = time.time()
    tmp = tempfile.mkdtemp(prefix="task-e2e-cluster-")
    procs = {}
    subscriber = None
    # A database of its own: another test's task-server relaying the shared database's outbox
    # would publish this test's events to its own bus first.
    db = ScratchDatabase(pg_url, f"e2e_cluster_{os.getpid()}")
    pg_url = db.url
    try:
        ports = pick_ports(base, 9)
        client, route, mon = ports[0:3], ports[3:6], ports[6:9]
        routes = ",".join(f"nats://127.0.0.1:{p}" for p in route)
        for i in range(3):
            log = open(os.path.join(tmp, f"nats{i}.log"), "w")
            procs[f"nats{i}"] = subprocess.Popen(
                [nats_server, "-a", "127.0.0.1", "-p", str(client[i]), "-m", str(mon[i]),
                 "-n", f"node{i}", "-js", "-sd", os.path.join(tmp, f"js{i}"),
                 "--cluster_name", "task_e2e", "--cluster", f"nats://127.0.0.1:{route[i]}",
                 "--routes", routes], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if all(monitor(m, "/jsz").get("meta_cluster", {}).get("leader") for m in mon):
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("the JetStream cluster elected no meta leader")

        user = f"cluster-{os.getpid()}-{int(time.time())}"
        nats_url = ",".join(f"nats://127.0.0.1:{p}" for p in client)
        http_ports = [free_port(), free_port()]
        for r, name in enumerate(("a", "b")):
            env = {**os.environ, "TASK_PORT": str(http_ports[r]), "TASK_BIND": "127.0.0.1",
                   "TASK_DATABASE_URL": pg_url, "NATS_URL": nats_url,
                   "NATS_STREAM_REPLICAS": "3", "SERVICE_NAME": f"task_service_{name}",
                   "TASK_DATA_DIR": tmp, "TASK_UI": "off", "TASK_SCHEDULER": "off",
                   "TASK_DEFAULT_TIER": "enterprise",
                   "LOG_LEVEL": "info", "TASK_DB_POOL": "4", "TASK_WORKERS": "2"}
            for k in ("MQTT_URL", "TASK_JWT_SECRET", "CONSUL_HOST", "CONSUL_HTTP_ADDR"):
                env.pop(k, None)
            log = open(os.path.join(tmp, f"server_{name}.log"), "w")
            procs[f"server_{name}"] = subprocess.Popen([server], env=env, stdout=log,
                                                       stderr=subprocess.STDOUT)
        for p in http_ports:
            deadline = time.time() + 30
            while time.time() < deadline:
                try:
                    if http(p, "GET", "/health/detailed", timeout=2)[1]["components"][
                            "event_bus"].get("connected"):
                        break
                except (OSError, ValueError, KeyError, TypeError):
                    pass
                time.sleep(0.2)
            else:
                raise AssertionError(f"task-server on {p} did not connect to NATS")

        # Where is replica a connected? That node is the one to kill.
        def node_of(name):
            for i, m in enumerate(mon):
                try:
                    conns = monitor(m, "/connz").get("connections", [])
                except OSError:  # the killed node
                    continue
                if any(c.get("name") == name for c in conns):
                    return i
            return None

        victim = node_of("task_service_a")
        expect(victim is not None, "replica a is connected to no node")
        survivor = (victim + 1) % 3
        got = []
        got_lock = threading.Lock()

        probes = set()

        def on_msg(subject, headers, payload):
            with got_lock:
                if payload.startswith(b"probe-"):
                    probes.add(payload.decode())
                else:
                    got.append(payload)

        subscriber = NatsConn(client[survivor], on_msg)
        subscriber.subscribe("task_service.task.created")
        # A subscription reaches the other nodes over the routes a moment later: until a probe
        # published on every node arrives, an event published there could miss this subscriber.
        for i, port in enumerate(client):
            prober = NatsConn(port, name=f"probe{i}")
            try:
                deadline = time.time() + 20
                while True:
                    prober.publish("task_service.task.created", f"probe-{i}")
                    time.sleep(0.05)
                    with got_lock:
                        if f"probe-{i}" in probes:
                            break
                    expect(time.time() < deadline, f"node {i} never routed to the subscriber")
            finally:
                prober.close()

        failures = []
        done = [0]
        killed = threading.Event()

        def write(i):
            port = http_ports[i % 2]
            status, body = http(port, "POST", "/api/v1/tasks",
                                {"name": f"c{i}", "task_type": "todo"}, {"X-User-ID": user})
            if status != 201:
                failures.append((i, status, body))
            with got_lock:
                done[0] += 1
                if done[0] == KILL_AT and not killed.is_set():
                    procs[f"nats{victim}"].send_signal(signal.SIGKILL)
                    killed.set()

        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(write, range(WRITES)))
        write_s = time.time() - t0
        expect(killed.is_set(), "the node was not killed")
        procs[f"nats{victim}"].wait(timeout=10)
        expect(not failures, f"{len(failures)} writes failed, first: {failures[:3]}")

        # Every outbox row of this user, and none left unpublished.
        def psql(sql):
            out = subprocess.run(["psql", pg_url, "-Atc", sql], capture_output=True, text=True,
                                 timeout=30)
            expect(out.returncode == 0, f"psql: {out.stderr}")
            return out.stdout.split()

        expected = set(psql(f"SELECT event_id FROM task.event_outbox WHERE user_id = '{user}'"))
        expect(len(expected) == WRITES, f"{len(expected)} outbox rows for {WRITES} creates")
        left = None
        deadline = time.time() + 60
        while time.time() < deadline:
            left = psql("SELECT count(*) FROM task.event_outbox WHERE user_id = "
                        f"'{user}' AND published_at IS NULL")
            with got_lock:
                ids = {json.loads(p)["id"] for p in got}
            if left == ["0"] and expected <= ids:
                break
            time.sleep(0.2)
        with got_lock:
            received = [json.loads(p) for p in got]
        ids = {e["id"] for e in received}
        missing = expected - ids
        expect(left == ["0"], f"{left} outbox rows of this user still unpublished")
        expect(not missing, f"{len(missing)} events never arrived, e.g. {sorted(missing)[:3]}")
        expect(ids == expected, f"{len(ids - expected)} unexpected ids")
        dups = len(received) - len(ids)

        # The stream: 3 replicas configured, each event stored once (Nats-Msg-Id dedupe).
        info = subscriber.request("$JS.API.STREAM.INFO.TASK_SERVICE", "")
        expect(info and info["config"]["num_replicas"] == 3, f"stream info: {info}")
        stored = {}
        for seq, hdrs, body in subscriber.stream_messages("TASK_SERVICE"):
            env = json.loads(body)
            if env.get("data", {}).get("user_id") == user:
                expect(f"Nats-Msg-Id: {env['id']}" in hdrs, f"seq {seq} header {hdrs!r}")
                stored[env["id"]] = stored.get(env["id"], 0) + 1
        expect(set(stored) == expected, f"stream holds {len(stored)} of {len(expected)} events")
        twice = [i for i, n in stored.items() if n > 1]
        expect(not twice, f"{len(twice)} events stored twice")

        # Both relays reconnected to surviving nodes.
        for p, name in zip(http_ports, ("task_service_a", "task_service_b")):
            bus = http(p, "GET", "/health/detailed")[1]["components"]["event_bus"]
            expect(bus["connected"] and bus["outbox_backlog"] == 0, f"{name}: {bus}")
            node = node_of(name)
            expect(node is not None and node != victim, f"{name} on node {node}")
        elapsed = time.time() - started
        print(f"e2e nats cluster: ok — {WRITES} writes in {write_s:.1f} s over 2 replicas, node "
              f"{victim} SIGKILLed after {KILL_AT}; {len(received)} deliveries, {dups} duplicates "
              f"(same id), {len(ids)} distinct = outbox; stream R3 holds each once; "
              f"total {elapsed:.1f} s")
    except Exception as e:
        # The reason first: a CI log may keep only the first lines of a failure.
        print(f"e2e nats cluster: FAILED: {type(e).__name__}: {e}", flush=True)
        for name in sorted(procs):
            path = os.path.join(tmp, f"{name}.log")
            if os.path.exists(path):
                with open(path) as f:
                    lines = [ln for ln in f if "msg=request " not in ln]
                print(f"--- {name}.log (tail, request lines left out)\n" + "".join(lines[-25:]))
        raise
    finally:
        if subscriber:
            subscriber.close()
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)  # all at once, then wait for each
        for p in procs.values():
            stop(p, 15)
        shutil.rmtree(tmp, ignore_errors=True)
        db.close()


if __name__ == "__main__":
    main()
