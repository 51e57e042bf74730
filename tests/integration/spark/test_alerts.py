"""The operator's alerts and Grafana dashboard (charts/spyt-operator/files/), checked with
promtool: the rules file is valid, its unit tests in tests/alerts/ pass and cover every
alert both firing and staying quiet, and every query (alerts and dashboard panels) is
valid PromQL over metrics the operator exports. No control plane needed."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
FILES = REPO / "charts" / "spyt-operator" / "files"
RULES = FILES / "alerts.yaml"
DASHBOARD = FILES / "dashboard.json"
UNIT_TESTS = sorted((REPO / "tests" / "alerts").glob("*.yaml"))
METRICS_SOURCES = [REPO / "controller" / "metrics" / name for name in ("metrics.cpp", "livy_series.cpp",
                                                                    "cluster_series.cpp")]
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"

# Families the operator's own code defines, plus `up`, which Prometheus adds per target.
OPERATOR_PREFIXES = ("controller_runtime_", "workqueue_", "rest_client_", "leader_election_",
                     "spyt_operator_", "spyt_cluster_", "spyt_livy_")


def promtool(*args):
    proc = subprocess.run([PROMTOOL, *map(str, args)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, f"promtool {' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def alerts():
    return [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"] if "alert" in r]


def exported_metrics():
    """Metric families registered in controller/metrics/ (read from the source: some
    families have no series until their first event, so a scrape cannot list them)."""
    names = set()
    for source in METRICS_SOURCES:
        # prometheus-cpp builders (.Name("...")) and the families built at scrape (Gauges("...").
        found = set(re.findall(r'(?:\.Name|Gauges)\("([a-zA-Z_:][a-zA-Z0-9_:]*)"', source.read_text()))
        assert found, f"no metric names found in {source}"
        names |= found
    assert len(names) > 10, f"no metric names found in {METRICS_SOURCES}"
    return names


def referenced_metrics(expr):
    """Operator metric names an expression uses (histogram series mapped to their family)."""
    found = set()
    for name in re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{\[(]?", expr):
        if name == "up" or name.startswith(OPERATOR_PREFIXES):
            found.add(re.sub(r"_(bucket|sum|count)$", "", name))
    return found


def dashboard_queries():
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [(p["title"], t["expr"]) for p in panels for t in p.get("targets", [])]


def concrete(expr):
    """A dashboard query with Grafana's variables replaced, so Prometheus can parse it."""
    return (expr.replace("$__rate_interval", "5m").replace("$job", ".*spyt-operator.*")
            .replace("$namespace", ".*"))


def test_rules_file_passes_promtool_check():
    out = promtool("check", "rules", RULES)
    assert f"SUCCESS: {len(alerts())} rules found" in out


def test_alert_unit_tests_pass():
    assert UNIT_TESTS, "tests/alerts/ has no promtool unit tests"
    promtool("test", "rules", *UNIT_TESTS)


def test_every_alert_has_a_firing_and_a_quiet_unit_test():
    firing, quiet = set(), set()
    for path in UNIT_TESTS:
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {a["alert"] for a in alerts()}
    assert names - firing == set(), "alerts without a test in which they fire"
    assert names - quiet == set(), "alerts without a test in which they stay quiet"
    assert (firing | quiet) - names == set(), "unit tests of alerts that do not exist"


@pytest.mark.parametrize("alert", alerts(), ids=lambda a: a["alert"])
def test_alert_is_scoped_to_the_operator_and_documented(alert):
    # controller_runtime_*, workqueue_* and leader_election_* are shared with every other
    # controller of the cluster: each selector must name the operator's job.
    uses = re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?", alert["expr"])
    uses = [(name, sel) for name, sel in uses if referenced_metrics(name)]
    assert uses, alert["expr"]
    for name, sel in uses:
        assert 'job=~".*spyt-operator.*"' in sel, f"{alert['alert']}: {name}{sel} is not scoped by job"
    assert alert["labels"]["severity"] in {"warning", "critical"}
    assert alert["annotations"]["summary"] and alert["annotations"]["description"]
    assert alert.get("for"), "an alert without `for` pages on a single bad scrape"


def test_alerts_use_only_metrics_the_operator_exports():
    exported = exported_metrics() | {"up"}
    for alert in alerts():
        used = referenced_metrics(alert["expr"])
        assert used, f"{alert['alert']} refers to no operator metric"
        assert used <= exported, f"{alert['alert']} uses unknown metrics {used - exported}"


def test_dashboard_queries_are_valid_promql_over_exported_metrics(tmp_path):
    exported = exported_metrics() | {"up"}
    queries = dashboard_queries()
    for title, expr in queries:
        used = referenced_metrics(expr)
        assert used and used <= exported, f"panel {title!r}: unknown metrics {used - exported}"
    # promtool parses PromQL in rules files: one recording rule per panel query.
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard:query_{i}", "expr": concrete(expr)} for i, (_, expr) in enumerate(queries)]}]}
    path = tmp_path / "dashboard-queries.yaml"
    path.write_text(yaml.safe_dump(rules))
    promtool("check", "rules", path)


def test_dashboard_has_the_panels_operators_look_for():
    dash = json.loads(DASHBOARD.read_text())
    assert dash["uid"] == "spyt-operator"
    assert {v["name"] for v in dash["templating"]["list"]} == {"datasource", "job", "namespace"}
    panels = [p for p in dash["panels"] if p["type"] != "row"]
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    for p in panels:
        assert p["datasource"]["uid"] == "${datasource}", p["title"]
        pos = p["gridPos"]
        assert pos["x"] + pos["w"] <= 24, p["title"]
    exprs = " ".join(expr for _, expr in dashboard_queries())
    p99_reconcile = "histogram_quantile(0.99, sum by (le, controller) (rate(controller_runtime_reconcile_time_seconds"
    for needle in ["rate(controller_runtime_reconcile_total", "controller_runtime_reconcile_errors_total",
                   p99_reconcile, "workqueue_depth", "workqueue_queue_duration_seconds_bucket",
                   "sum by (code) (rate(rest_client_requests_total", "leader_election_master_status"]:
        assert needle in exprs, f"the dashboard has no panel with {needle}"
