"""A fault-injecting HTTPS proxy of our own, on 127.0.0.1, in front of the test's real
API server: the operator talks to it, it talks to the API server with the admin's
client certificate, and while a fault is set it answers every request itself (503
ServiceUnavailable, or 429 TooManyRequests with Retry-After) instead. Every request is
counted with the time it arrived, so a test can see whether a client backs off or
loops.

One request per connection: the proxy adds `Connection: close` on both sides, so that
each request is seen (and may be refused) on its own; after the request, bytes are
relayed as they come, which keeps watches streaming. Stopped with stop()."""

import base64
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import yaml

STATUS = ('{{"kind":"Status","apiVersion":"v1","metadata":{{}},"status":"Failure",'
          '"message":"injected by the test\'s fault proxy","reason":"{reason}","code":{code}}}')


class Fault:
    def __init__(self, code, reason, retry_after=None):
        self.code, self.reason, self.retry_after = code, reason, retry_after

    def response(self):
        body = STATUS.format(reason=self.reason, code=self.code).encode()
        head = [f"HTTP/1.1 {self.code} {self.reason}", "Content-Type: application/json",
                f"Content-Length: {len(body)}", "Connection: close"]
        if self.retry_after is not None:
            head.append(f"Retry-After: {self.retry_after}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + body


UNAVAILABLE = Fault(503, "ServiceUnavailable")
THROTTLED = Fault(429, "TooManyRequests", retry_after=1)


def _write(path, data):
    path.write_bytes(data)
    return str(path)


class FaultProxy:
    def __init__(self, admin_kubeconfig, work_dir: Path):
        cfg = yaml.safe_load(Path(admin_kubeconfig).read_text())
        cluster, user = cfg["clusters"][0]["cluster"], cfg["users"][0]["user"]
        self.upstream = cluster["server"].split("//", 1)[1]
        self.work_dir = work_dir
        work_dir.mkdir(parents=True, exist_ok=True)
        self.client_ctx = ssl.create_default_context(
            cafile=_write(work_dir / "ca.crt", base64.b64decode(cluster["certificate-authority-data"])))
        self.client_ctx.check_hostname = False
        self.client_ctx.load_cert_chain(_write(work_dir / "admin.crt", base64.b64decode(user["client-certificate-data"])),
                                        _write(work_dir / "admin.key", base64.b64decode(user["client-key-data"])))
        key, crt = work_dir / "proxy.key", work_dir / "proxy.crt"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                        "-out", str(crt)], check=True, capture_output=True)
        self.ca = crt
        self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(str(crt), str(key))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.fault = None
        self.active = set()  # upstream connections relaying now (watches among them)
        self.requests = []  # (monotonic time, method, path, answered with)
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def kubeconfig(self, path: Path):
        """A kubeconfig that reaches the API server through this proxy (no credentials: the
        proxy adds the admin's)."""
        path.write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "proxy", "cluster": {
                "server": f"https://127.0.0.1:{self.port}",
                "certificate-authority-data": base64.b64encode(self.ca.read_bytes()).decode()}}],
            "users": [{"name": "proxy", "user": {}}],
            "contexts": [{"name": "proxy", "context": {"cluster": "proxy", "user": "proxy"}}],
            "current-context": "proxy"}))
        return str(path)

    def set_fault(self, fault):
        """From now on answer every request with `fault` (None: forward again). Starting a
        fault also cuts the streams being relayed, as an API server that goes away does."""
        with self.lock:
            self.fault = fault
            cut = list(self.active) if fault else []
        for up in cut:
            try:
                up.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def count(self, since, until=None):
        with self.lock:
            return sum(1 for t, *_ in self.requests if t >= since and (until is None or t < until))

    def stop(self):
        self.stopping = True
        self.listener.close()
        self.set_fault(UNAVAILABLE)  # cuts every relayed stream

    # ------------------------------------------------------------------ serving
    def _accept(self):
        while not self.stopping:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, raw):
        try:
            conn = self.server_ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        try:
            head, rest = self._read_head(conn)
            if head is None:
                return
            lines = head.split(b"\r\n")
            method, path = lines[0].split(b" ")[:2]
            length = 0
            kept = [lines[0]]
            for line in lines[1:]:
                name = line.split(b":", 1)[0].strip().lower()
                if name == b"content-length":
                    length = int(line.split(b":", 1)[1])
                if name not in (b"connection", b"authorization"):
                    kept.append(line)
            kept.append(b"Connection: close")
            while len(rest) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                rest += chunk
            with self.lock:
                fault = self.fault
                self.requests.append((time.monotonic(), method.decode(), path.decode(),
                                      fault.code if fault else "forwarded"))
            if fault:
                conn.sendall(fault.response())
                return
            host, port = self.upstream.rsplit(":", 1)
            up = self.client_ctx.wrap_socket(socket.create_connection((host, int(port))))
            with self.lock:
                self.active.add(up)
            with up:
                up.sendall(b"\r\n".join(kept) + b"\r\n\r\n" + rest)
                while True:
                    chunk = up.recv(65536)
                    if not chunk:
                        break
                    conn.sendall(chunk)
            with self.lock:
                self.active.discard(up)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    @staticmethod
    def _read_head(conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None, b""
            data += chunk
            if len(data) > 1 << 20:
                return None, b""
        head, rest = data.split(b"\r\n\r\n", 1)
        return head, rest
