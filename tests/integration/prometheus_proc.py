"""A real Prometheus for tests: scrapes the given targets every second on 127.0.0.1
and answers instant PromQL queries. Stopped when the `with` block ends."""

import json
import socket
import subprocess
import urllib.parse
import urllib.request

import yaml


class Prometheus:
    def __init__(self, tmp_path, job, targets, honor_labels=True):
        self.tmp_path = tmp_path
        self.config = {"global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                       "scrape_configs": [{"job_name": job, "honor_labels": honor_labels,
                                           "static_configs": [{"targets": list(targets)}]}]}
        self.proc = None
        self.port = None

    def __enter__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = self.tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump(self.config))
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--web.listen-address=127.0.0.1:{self.port}",
             f"--storage.tsdb.path={self.tmp_path / 'tsdb'}"],
            stdout=open(self.tmp_path / "prometheus.log", "wb"), stderr=subprocess.STDOUT)
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def query(self, promql):
        """The values of an instant query, or [] while Prometheus is not up yet."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                result = json.loads(r.read())["data"]["result"]
            return [float(x["value"][1]) for x in result]
        except OSError:
            return []
