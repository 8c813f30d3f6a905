"""A minimal NATS client over the text protocol (no NATS library for Python is packaged for
Debian 12): a subscriber that collects messages on a thread, and JetStream API requests."""
import base64
import json
import socket
import threading
import time


class NatsConn:
    """One connection to 127.0.0.1:port. `on_msg(subject, headers, payload)` runs on the reader
    thread for every message of a subscription."""

    def __init__(self, port, on_msg=None, name="e2e"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.settimeout(None)
        self.file = self.sock.makefile("rb")
        self.on_msg = on_msg
        self.lock = threading.Lock()
        self.replies = {}
        self.reply_cv = threading.Condition()
        self.closed = False
        info = self.file.readline()
        if not info.startswith(b"INFO"):
            raise RuntimeError(f"not a NATS server on {port}: {info!r}")
        connect = {"verbose": False, "pedantic": False, "headers": True, "no_responders": True,
                   "protocol": 1, "name": name}
        self._send(b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
        self.pong = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.pong.wait(10):
            raise RuntimeError("no PONG")
        self.sid = 100
        self.inbox = f"_INBOX.e2e{id(self)}"
        self._send(f"SUB {self.inbox}.* 1\r\n".encode())

    def _send(self, data):
        with self.lock:
            self.sock.sendall(data)

    def _read(self):
        try:
            while True:
                line = self.file.readline()
                if not line:
                    return
                if line.startswith(b"PING"):
                    self._send(b"PONG\r\n")
                elif line.startswith(b"PONG"):
                    self.pong.set()
                elif line.startswith(b"MSG") or line.startswith(b"HMSG"):
                    parts = line.split()
                    hmsg = parts[0] == b"HMSG"
                    subject = parts[1].decode()
                    total = int(parts[-1])
                    hdr_len = int(parts[-2]) if hmsg else 0
                    data = self.file.read(total + 2)[:total]
                    headers = {}
                    if hmsg:
                        for h in data[:hdr_len].decode().split("\r\n")[1:]:
                            if ":" in h:
                                k, v = h.split(":", 1)
                                headers[k.strip()] = v.strip()
                    payload = data[hdr_len:]
                    if subject.startswith(self.inbox):
                        with self.reply_cv:
                            self.replies[subject] = payload
                            self.reply_cv.notify_all()
                    elif self.on_msg:
                        self.on_msg(subject, headers, payload)
                elif line.startswith(b"-ERR"):
                    print("nats:", line.decode().strip())
        except (OSError, ValueError):
            return

    def subscribe(self, subject):
        self.sid += 1
        self.pong.clear()  # before the PING: its PONG may arrive before send() returns
        self._send(f"SUB {subject} {self.sid}\r\nPING\r\n".encode())
        self.pong.wait(10)

    def publish(self, subject, body):
        data = body.encode() if isinstance(body, str) else body
        self._send(f"PUB {subject} {len(data)}\r\n".encode() + data + b"\r\n")

    def request(self, subject, body, timeout=5):
        """A request/reply; returns the reply as JSON (None on timeout)."""
        self.sid += 1
        reply = f"{self.inbox}.{self.sid}"
        data = body.encode() if isinstance(body, str) else body
        self._send(f"PUB {subject} {reply} {len(data)}\r\n".encode() + data + b"\r\n")
        deadline = time.time() + timeout
        with self.reply_cv:
            while reply not in self.replies:
                left = deadline - time.time()
                if left <= 0:
                    return None
                self.reply_cv.wait(left)
            payload = self.replies.pop(reply)
        return json.loads(payload) if payload else None

    def stream_messages(self, stream):
        """Every message of a JetStream stream, by sequence: (seq, headers text, body bytes)."""
        info = self.request(f"$JS.API.STREAM.INFO.{stream}", "")
        state = info["state"]
        out = []
        for seq in range(state["first_seq"], state["last_seq"] + 1):
            r = self.request(f"$JS.API.STREAM.MSG.GET.{stream}", json.dumps({"seq": seq}))
            if not r or "message" not in r:
                continue
            m = r["message"]
            out.append((seq, base64.b64decode(m.get("hdrs", "")).decode(),
                        base64.b64decode(m.get("data", ""))))
        return out

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
