"""Helpers shared by the Python end-to-end scripts (tests/e2e, tests/cli). Each script runs as
`python3 SCRIPT.py` and puts this folder (tests/support) on sys.path before importing it."""
import os
import signal
import socket
import subprocess
import time
import urllib.request


def free_port():
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expect(cond, what):
    """Fails the script with `what` when `cond` is false."""
    if not cond:
        raise AssertionError(what)


def port_free(port):
    """True when nothing holds `port` on 127.0.0.1."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def listening(port):
    """True when something accepts connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_healthy(port, seconds=10.0, proc=None):
    """Waits until GET /health on 127.0.0.1:port answers 200; fails when `proc` exits first or
    the time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"server on port {port} did not come up within {seconds:.0f} s")


def start_server(binary, tmp, *args, env=None):
    """Starts task-server `binary` on a free loopback port with `args`, its output in
    TMP/server.log; returns (process, port). Stop it with stop()."""
    port = free_port()
    with open(os.path.join(tmp, "server.log"), "w") as log:
        proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", *args],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    return proc, port


def stop(proc, seconds=30.0):
    """SIGTERM, then SIGKILL if `proc` has not exited within `seconds`; returns its exit code
    ("killed" after SIGKILL, None when it was not running)."""
    if proc is None:
        return None
    if proc.poll() is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return "killed"


class ScratchDatabase:
    """A database of its own on the PostgreSQL server of `admin_url` (a test whose servers relay
    the outbox must not share one with other tests' relays): created fresh, dropped WITH (FORCE)
    by close(). `url` is its connection URL."""

    def __init__(self, admin_url, name):
        self.admin_url, self.name = admin_url, name
        base, _, query = admin_url.partition("?")
        self.url = base[:base.rfind("/") + 1] + name + (f"?{query}" if query else "")
        self._sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self._sql(f"CREATE DATABASE {name}")

    def _sql(self, sql):
        out = subprocess.run(["psql", self.admin_url, "-Atqc", sql], capture_output=True,
                             text=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError(f"psql {sql!r}: {out.stderr.strip()}")

    def close(self):
        self._sql(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
