"""The driver host's control API (HTTP/JSON), spoken by `spyt-launcher livy`.

  GET  /status                       {"state": "idle"|"busy", "app_id", "version"}
  POST /statements {"id","code","kind"?}
                                     201 + statement; 200 + the stored one for a known id;
                                     409 for a new id not above the last; 400 for bad input
  GET  /statements?after=V&wait_ms=T {"version", "statements": [changed after V]}, waiting
                                     up to T ms (at most 30000) for a change
  GET  /statements/{id}              the statement, 404 if unknown
  POST /statements/{id}/cancel       the statement (Livy's cancel), 404 if unknown
  POST /shutdown                     200, then the process stops Spark and exits 0
Errors are {"msg": "..."}. Every request counts as a sign of life for the orphan rule.
"""

import json
import logging
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from spyt_statements import IdConflict

LOG = logging.getLogger("spyt-driver")
KIND_ALIASES = {"spark": "spark", "scala": "spark", "pyspark": "pyspark", "python": "pyspark", "sql": "sql"}
DEFAULT_MAX_BODY = 16 << 20  # the server passes its own: spec max_request_bytes
STATEMENT_PATH = re.compile(r"^/statements/(\d+)(/cancel)?$")


class HttpError(Exception):
    def __init__(self, status, msg):
        super().__init__(msg)
        self.status, self.msg = status, msg


class ControlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host, session, app_id, on_shutdown, max_body=DEFAULT_MAX_BODY):
        self.session, self.app_id, self.on_shutdown = session, app_id, on_shutdown
        self.max_body = max_body
        self.last_request = time.monotonic()
        super().__init__((host, 0), _Handler)

    @property
    def port(self):
        return self.server_address[1]

    def handle_error(self, request, client_address):
        # The server was killed mid-request (it re-attaches once restarted): no traceback for that.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            LOG.info("control: the server went away in the middle of a request")
            return
        super().handle_error(request, client_address)

    def serve_in_background(self):
        thread = threading.Thread(target=self.serve_forever, name="control-server", daemon=True)
        thread.start()
        return thread


def _int_param(query, name, default):
    values = query.get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        raise HttpError(400, f"{name} must be an integer") from None


def parse_new_statement(body, default_kind):
    """(id, code, kind) of a POST /statements body; raises HttpError(400)."""
    if not isinstance(body, dict):
        raise HttpError(400, "the body must be a JSON object")
    sid, code, kind = body.get("id"), body.get("code"), body.get("kind") or default_kind
    if not isinstance(sid, int) or isinstance(sid, bool) or sid < 0:
        raise HttpError(400, "id must be a non-negative integer")
    if not isinstance(code, str):
        raise HttpError(400, "code must be a string")
    if not isinstance(kind, str) or kind.lower() not in KIND_ALIASES:
        raise HttpError(400, f"unsupported kind {kind!r}: expected spark, pyspark or sql")
    return sid, code, KIND_ALIASES[kind.lower()]


class _Handler(BaseHTTPRequestHandler):
    server_version = "spyt-driver"
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes on a kept-alive connection: with
    # Nagle's algorithm on, the body waits for the peer's delayed ACK (~40 ms per
    # answer, two answers per statement).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        LOG.debug("control: " + fmt, *args)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def _dispatch(self, method):
        self.server.last_request = time.monotonic()
        url = urlsplit(self.path)
        after = None
        try:
            body = self._read_body() if method == "POST" else None
            status, payload, after = self._route(method, url.path, parse_qs(url.query), body)
        except HttpError as e:
            status, payload = e.status, {"msg": e.msg}
        except Exception as e:  # noqa: BLE001 - a bug must answer 500, not kill the thread silently
            LOG.exception("control request %s %s", method, self.path)
            status, payload = 500, {"msg": f"{type(e).__name__}: {e}"}
        self._reply(status, payload)
        if after:
            after()

    def _route(self, method, path, query, body):
        session = self.server.session
        if path == "/status" and method == "GET":
            state = "busy" if session.store.busy() else "idle"
            return 200, {"state": state, "app_id": self.server.app_id, "version": session.store.version}, None
        if path == "/statements" and method == "POST":
            sid, code, kind = parse_new_statement(body, session.default_kind)
            try:
                statement, created = session.submit(sid, code, kind)
            except IdConflict as e:
                raise HttpError(409, str(e)) from None
            return (201 if created else 200), statement, None
        if path == "/statements" and method == "GET":
            after = _int_param(query, "after", 0)
            wait_ms = max(0, _int_param(query, "wait_ms", 0))
            version, changed = session.store.changed_after(after, wait_ms / 1000.0)
            return 200, {"version": version, "statements": changed}, None
        if path == "/shutdown" and method == "POST":
            return 200, {"msg": "shutting down"}, self.server.on_shutdown
        match = STATEMENT_PATH.match(path)
        if match:
            sid, cancel = int(match.group(1)), bool(match.group(2))
            if method == ("POST" if cancel else "GET"):
                statement = session.cancel(sid) if cancel else session.store.get(sid)
                if statement is None:
                    raise HttpError(404, f"Statement '{sid}' not found.")
                return 200, statement, None
        known = path in ("/status", "/statements", "/shutdown") or match
        raise HttpError(405 if known else 404, f"no route for {method} {path}")

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length > self.server.max_body:
            self.close_connection = True  # the unread body must not be taken for the next request
            raise HttpError(413, f"body of {length} bytes, more than the {self.server.max_body} taken")
        raw = self.rfile.read(length) if length else b""
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError as e:
            raise HttpError(400, f"body is not JSON: {e}") from None

    def _reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
