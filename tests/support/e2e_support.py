"""Helpers shared by the end-to-end scripts of this folder (each runs as `python3 SCRIPT.py`, so
this module is importable from the script's own directory)."""
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
