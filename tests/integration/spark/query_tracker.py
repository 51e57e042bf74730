"""A client that talks to Livy as Query Tracker's SPYT engine does, step for step, so
that tests and benchmarks replay its flow (see ../shared/reference/spyt-and-livy.md,
"How Query Tracker uses Livy" and "Query Tracker's statement"):

1. the Livy address and the SPYT version from the cluster's discovery records
   (exactly one `livy` child, used as http://<child>);
2. with session reuse, POST /sessions/find-by-user {"proxyUser": U}: 200 gives the
   session (Location) and the token back from its conf; 404 or 405 means none;
3. otherwise POST /sessions {"kind": "spark", "proxyUser": U, "conf": ...} expecting
   201 + Location, then poll while `starting` and accept `idle` (or `busy` with reuse);
4. POST <session>/statements with the Scala block below, expecting 201 + Location;
   poll while `waiting`, then while `running`, reading `progress` each time, and
   require `available`;
5. an `ok` output's text/plain is `T` (truncated) or `F`, then base64 chunks of
   YT's wire-format rowset; an `error` output is raised with its evalue and traceback;
6. at the end (result or error): with reuse, cancel the statement; without, DELETE
   the session.

Every request the client makes is recorded in `calls` (method, path, status), so a
test can check the exact sequence."""

import base64
import time
from dataclasses import dataclass, field

import requests

HEADERS = {"Content-Type": "application/json"}
POLL = 0.2  # Query Tracker's StatusPollPeriod is a config value; this keeps tests quick
ROW_COUNT_LIMIT = 10


class LivyQueryError(Exception):
    """The statement's output was an error (Query Tracker: "Livy error: <evalue>")."""

    def __init__(self, evalue, traceback):
        super().__init__(f"Livy error: {evalue}")
        self.evalue = evalue
        self.traceback = traceback


class UnexpectedLivyAnswer(Exception):
    pass


@dataclass
class QueryResult:
    truncated: bool
    wire: bytes          # the concatenated decoded chunks
    session_url: str
    reused: bool
    progress: list = field(default_factory=list)  # every progress value read while polling
    session_seconds: float = 0.0    # finding or starting the session
    statement_seconds: float = 0.0  # from POST of the statement to its output


def version_tuple(version):
    """SPYT's version as Query Tracker compares it: the part before '-', split on dots."""
    return tuple(int(p) for p in version.split("-")[0].split("."))


def statement_code(sql, row_count_limit=ROW_COUNT_LIMIT, params=None):
    """Query Tracker's statement: one Scala block that sets the params, decodes the query
    from base64 and prints GenericRowSerializer's T/F line and base64 chunks."""
    settings = "".join(f'spark.sql("set {k}={v}");' for k, v in (params or {}).items())
    encoded = base64.b64encode(sql.encode()).decode()
    return ("{ import tech.ytsaurus.spyt.serializers.GenericRowSerializer;"
            " import java.util.Base64; import java.nio.charset.StandardCharsets.UTF_8;"
            f" {settings}"
            f' val query = new String(Base64.getDecoder().decode("{encoded}"), UTF_8);'
            f" val rowCountLimit = {row_count_limit};"
            " val df = spark.sql(query).limit(rowCountLimit + 1);"
            ' println(GenericRowSerializer.dfToYTFormatWithBase64(df, rowCountLimit).mkString("\\n"))'
            "}")


class QueryTracker:
    def __init__(self, discovery, user, token, reuse=True, spark_conf=None, timeout=300):
        """`discovery` maps entry names to their one child (livy, version, ...)."""
        self.discovery = discovery
        self.user = user
        self.token = token
        self.reuse = reuse
        self.spark_conf = dict(spark_conf or {})
        self.timeout = timeout
        self.calls = []
        self.read_back_token = None  # what find-by-user gave back, with reuse

    # ------------------------------------------------------------------ HTTP
    def _call(self, method, url, body=None):
        r = requests.request(method, url, json=body, headers=HEADERS, timeout=60)
        self.calls.append((method, url.split("//", 1)[-1].split("/", 1)[-1], r.status_code))
        return r

    def _get_json(self, url):
        r = self._call("GET", url)
        if r.status_code != 200:
            raise UnexpectedLivyAnswer(f"GET {url}: {r.status_code} {r.text}")
        return r.json()

    def _wait_while(self, url, state, progress=None):
        deadline = time.monotonic() + self.timeout
        current = state
        while current == state:
            if time.monotonic() > deadline:
                raise UnexpectedLivyAnswer(f"{url} stayed {state} for {self.timeout}s")
            time.sleep(POLL)
            doc = self._get_json(url)
            current = doc["state"]
            if progress is not None:
                progress.append(float(doc["progress"]))  # Query Tracker requires the field
        return current

    # ------------------------------------------------------------------ flow
    def livy_url(self):
        livy = self.discovery.get("livy")
        if not livy:
            raise UnexpectedLivyAnswer("Livy address was not found in discovery. SPYT cluster must "
                                       "be started with '--enable-livy' option")
        return f"http://{livy}"

    def session_conf(self):
        conf = dict(self.spark_conf)
        if "spark.hadoop.yt.user" in conf or "spark.hadoop.yt.token" in conf:
            raise ValueError("Providing credentials is forbidden")
        version = self.discovery.get("version")
        if version and version_tuple(version) < (1, 78, 0):
            conf["spark.yt.version"] = version
            conf.setdefault("spark.yt.jars", f"yt:///home/spark/spyt/releases/{version}/spark-yt-data-source.jar")
            conf.setdefault("spark.yt.pyFiles", f"yt:///home/spark/spyt/releases/{version}/spyt.zip")
        conf.setdefault("spark.hadoop.fs.null.impl", "tech.ytsaurus.spyt.fs.YtTableFileSystem")
        conf.setdefault("spark.yt.log.enabled", "false")
        if self.token:
            conf.setdefault("spark.hadoop.yt.user", self.user)
            conf.setdefault("spark.hadoop.yt.token", self.token)
        return conf

    def find_session(self, root):
        """(session URL, token read back) of the user's session, or None."""
        r = self._call("POST", f"{root}/sessions/find-by-user", {"proxyUser": self.user})
        if r.status_code == 200:
            token = r.json()["conf"].get("spark.hadoop.yt.token")
            return root + r.headers["Location"], token
        if r.status_code in (404, 405):
            return None
        raise UnexpectedLivyAnswer(f"find-by-user: {r.status_code} {r.text}")

    def start_session(self, root):
        r = self._call("POST", f"{root}/sessions",
                       {"kind": "spark", "proxyUser": self.user, "conf": self.session_conf()})
        if r.status_code != 201:
            raise UnexpectedLivyAnswer(f"POST /sessions: {r.status_code} {r.text}")
        url = root + r.headers["Location"]
        try:
            state = self._wait_while(url, "starting")
            if not (state == "idle" or (state == "busy" and self.reuse)):
                raise UnexpectedLivyAnswer(f'expected "idle" or "busy", found "{state}"')
        except Exception:
            self._call("DELETE", url)
            raise
        return url

    def run(self, sql, row_count_limit=ROW_COUNT_LIMIT, params=None):
        root = self.livy_url()
        began = time.monotonic()
        found = self.find_session(root) if self.reuse else None
        if found:
            session_url, self.read_back_token = found
        else:
            session_url = self.start_session(root)
        session_ready = time.monotonic()
        statement_url = None
        try:
            r = self._call("POST", f"{session_url}/statements",
                           {"code": statement_code(sql, row_count_limit, params)})
            if r.status_code != 201:
                raise UnexpectedLivyAnswer(f"POST statements: {r.status_code} {r.text}")
            statement_url = root + r.headers["Location"]
            progress = []
            self._wait_while(statement_url, "waiting", progress)
            state = self._wait_while(statement_url, "running", progress)
            if state != "available":
                raise UnexpectedLivyAnswer(f'expected "available", found "{state}"')
            output = self._get_json(statement_url)["output"]
            answered = time.monotonic()
            text = parse_output(output)
        finally:
            if self.reuse:
                if statement_url:
                    self._call("POST", f"{statement_url}/cancel", {})
            else:
                self._call("DELETE", session_url)
        truncated, wire = extract_table_bytes(text)
        return QueryResult(truncated, wire, session_url, bool(found), progress,
                           session_ready - began, answered - session_ready)


def parse_output(output):
    status = output["status"]
    if status == "ok":
        return output["data"]["text/plain"]
    if status == "error":
        raise LivyQueryError(output["evalue"], list(output["traceback"]))
    raise UnexpectedLivyAnswer(f"Unknown Livy query status: {status}")


def extract_table_bytes(text):
    """(truncated, bytes): the first line says T or F, each further line is a base64
    chunk (strictly decoded, as Query Tracker does)."""
    lines = text.split("\n")
    chunks = [base64.b64decode(line, validate=True) for line in lines[1:]]
    return lines[0] == "T", b"".join(chunks)
