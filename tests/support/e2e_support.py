"""Helpers shared by the Python end-to-end scripts (tests/e2e, tests/cli). Each script runs as
`python3 SCRIPT.py` and puts this folder (tests/support) on sys.path before importing it."""
import socket


def free_port():
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def expect(cond, what):
    """Fails the script with `what` when `cond` is false."""
    if not cond:
        raise AssertionError(what)
