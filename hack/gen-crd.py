#!/usr/bin/env python3
"""Generates crds/spyt.dev_spytclusters.yaml, the SpytCluster CRD.

The schema is written here as Python so that repeated pieces (memory sizes,
ports, resource overrides) are declared once. `make manifests` runs this;
`make test` fails when the committed CRD is stale. Defaults and rules must match
controller/api (tests/api/defaults_test.cpp and the corpus tests check that).
"""
import sys

import yaml

MEMORY_RE = r"^[0-9]{1,9}([kKmMgGtTpP][bB]?|[KMGTP]i)$"
DURATION_RE = r"^[0-9]{1,9}(ms|s|m|h)$"
QUANTITY_RE = (r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|"
               r"([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$")
DNS1123_SUBDOMAIN_RE = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
LABEL_VALUE_RE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"


def unit_of(x):
    return f"{x}.find('[a-zA-Z]+$').lowerAscii()"


def mib_of(x):
    """CEL: a memory size string in MiB (valid only when it matches MEMORY_RE)."""
    u = unit_of(x)
    mult = (f"({u} in ['g', 'gb', 'gi'] ? 1024 : {u} in ['t', 'tb', 'ti'] ? 1048576 : "
            f"{u} in ['p', 'pb', 'pi'] ? 1073741824 : 1)")
    div = f"({u} in ['k', 'kb', 'ki'] ? 1024 : 1)"
    return f"(int({x}.find('^[0-9]+')) * {mult} / {div})"


def memory(desc, default=None, positive=True):
    s = {
        "type": "string",
        "maxLength": 16,
        "pattern": MEMORY_RE,
        "description": desc + " A whole number with a binary unit: k, m, g, t or p as "
        "Spark reads them (1g = 1024m), or Ki, Mi, Gi, Ti, Pi; a whole number of MiB.",
        "x-kubernetes-validations": [{
            "rule": f"!self.matches('{MEMORY_RE}') || !({unit_of('self')} in ['k', 'kb', 'ki'])"
                    " || int(self.find('^[0-9]+')) % 1024 == 0",
            "message": "must be a whole number of MiB",
        }],
    }
    if positive:
        s["x-kubernetes-validations"].append({
            "rule": f"!self.matches('{MEMORY_RE}') || int(self.find('^[0-9]+')) > 0",
            "message": "must be positive",
        })
    if default is not None:
        s["default"] = default
    return s


def duration(desc, default):
    return {"type": "string", "maxLength": 16, "pattern": DURATION_RE, "default": default,
            "description": desc + " A whole number with a unit: ms, s, m or h."}


def integer(desc, minimum, maximum, default=None):
    s = {"type": "integer", "format": "int32", "minimum": minimum, "maximum": maximum,
         "description": desc}
    if default is not None:
        s["default"] = default
    return s


def port(desc, default):
    return integer(desc, 1, 65535, default)


def quantity_value():
    return {"anyOf": [{"type": "integer"}, {"type": "string"}], "pattern": QUANTITY_RE, "maxLength": 64,
            "x-kubernetes-int-or-string": True}


def resources(component):
    qmap = {"type": "object", "additionalProperties": quantity_value(), "maxProperties": 16,
            "x-kubernetes-validations": [{
                "rule": "self.all(k, !isQuantity(string(self[k])) || "
                        "!quantity(string(self[k])).isLessThan(quantity('0')))",
                "message": "quantities must not be negative"}]}
    return {
        "type": "object",
        "description": f"Container resources of the {component}, overriding the ones the "
                       "operator computes from the Spark settings. Limits smaller than what "
                       "the settings need are rejected.",
        "properties": {
            "limits": dict(qmap, description="Maximum resources, by name (cpu, memory, ...)."),
            "requests": dict(qmap, description="Requested resources, by name."),
        },
    }


def limit_fits(resource, needed_int_expr, message):
    """CEL on a component object: a user-set limit is at least what SPYT computes.

    The need is an integer (cores, or bytes) added to quantity('0'): building a
    quantity from a computed string would make the cost estimate unbounded."""
    return {
        "rule": f"!has(self.resources) || !has(self.resources.limits) || "
                f"!('{resource}' in self.resources.limits) || "
                f"!quantity(string(self.resources.limits['{resource}']))"
                f".isLessThan(quantity('0').add({needed_int_expr}))",
        "message": message,
        "fieldPath": f".resources.limits['{resource}']",
        "reason": "FieldValueInvalid",
    }


def spec_schema():
    livy_mem = f"(1024 + {mib_of('self.driverMemory')} * self.maxSessions) * 1048576"
    worker_mem = f"({mib_of('self.memory')} + {mib_of('self.memoryOverhead')}) * 1048576"
    return {
        "type": "object",
        "description": "The desired SPYT cluster: what spark-launch-yt takes as options.",
        "required": ["workers"],
        "properties": {
            "spytVersion": {
                "type": "string", "maxLength": 64, "default": "2.9.3",
                "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$",
                "description": "SPYT release (spark-launch-yt --spyt-version). Becomes "
                               "spark.yt.version and selects spark.yt.jars/spark.yt.pyFiles.",
            },
            "image": {"type": "string", "minLength": 1, "maxLength": 512,
                      "description": "Container image with Java, Spark, Livy and the launcher. "
                                     "Defaults to the SPYT image of spytVersion."},
            "imagePullPolicy": {"type": "string", "default": "IfNotPresent",
                                "enum": ["Always", "IfNotPresent", "Never"],
                                "description": "Pull policy of every container."},
            "yt": {
                "type": "object", "default": {},
                "description": "The YTsaurus cluster SPYT reads and writes.",
                "properties": {
                    "proxy": {"type": "string", "minLength": 1, "maxLength": 253,
                              "description": "YT proxy address (spark-launch-yt --proxy)."},
                    "discoveryPath": {
                        "type": "string", "maxLength": 1024, "pattern": "^//.*",
                        "description": "Cypress path where the cluster publishes its addresses "
                                       "(--discovery-path). Defaults to one per cluster.",
                    },
                    "user": {"type": "string", "minLength": 1, "maxLength": 253,
                             "description": "YT user the cluster runs as."},
                    "tokenSecretRef": {
                        "type": "object", "required": ["name"],
                        "description": "Secret holding the YT token; it reaches containers "
                                       "only as an environment variable.",
                        "properties": {
                            "name": {"type": "string", "maxLength": 253,
                                     "pattern": DNS1123_SUBDOMAIN_RE,
                                     "description": "Secret name, in the cluster's namespace."},
                            "key": {"type": "string", "default": "token", "maxLength": 253,
                                    "pattern": r"^[-._a-zA-Z0-9]+$",
                                    "description": "Key of the token in the Secret."},
                        },
                    },
                },
            },
            "master": {
                "type": "object", "default": {},
                "description": "The Spark standalone master.",
                "properties": {
                    "memory": memory("Master container memory (--master-memory-limit).", "4G"),
                    "ports": {
                        "type": "object", "default": {},
                        "description": "Master ports.",
                        "properties": {
                            "rpc": port("Spark master RPC port (spark://host:PORT).", 7077),
                            "webUI": port("Master web UI port.", 8080),
                            "rest": port("Master REST submission port.", 6066),
                        },
                        "x-kubernetes-validations": [{
                            # has(): the API server checks rules against the {} default too.
                            "rule": "!has(self.rpc) || !has(self.webUI) || !has(self.rest) || "
                                    "(self.rpc != self.webUI && self.rpc != self.rest && "
                                    "self.webUI != self.rest)",
                            "message": "rpc, webUI and rest ports must differ",
                        }],
                    },
                    "resources": resources("master"),
                },
            },
            "workers": {
                "type": "object",
                "description": "Spark standalone workers.",
                "required": ["replicas", "cores", "memory"],
                "properties": {
                    "replicas": integer("Number of workers (--worker-num). Also the scale "
                                        "subresource: kubectl scale spytcluster/NAME.", 0, 1000),
                    "cores": integer("Cores each worker offers to Spark (--worker-cores).", 1, 1024),
                    "memory": memory("Memory each worker offers to Spark (--worker-memory)."),
                    "coresOverhead": integer("Extra cores reserved per worker container "
                                             "(--worker-cores-overhead).", 0, 1024, 0),
                    "memoryOverhead": memory("Extra memory reserved per worker container "
                                             "(--worker-memory-overhead).", "2G", positive=False),
                    "timeout": duration("How long to wait for workers (--worker-timeout).", "10m"),
                    "webUIPort": port("Worker web UI port.", 8081),
                    "resources": resources("workers"),
                },
                "x-kubernetes-validations": [
                    limit_fits("cpu", "self.cores + self.coresOverhead",
                               "must be at least cores + coresOverhead"),
                    limit_fits("memory", worker_mem, "must be at least memory + memoryOverhead"),
                ],
            },
            "historyServer": {
                "type": "object", "default": {},
                "description": "The Spark history server.",
                "properties": {
                    "enabled": {"type": "boolean", "default": True,
                                "description": "Run it (--enable-history-server)."},
                    "memory": memory("Container memory (--history-server-memory-limit).", "4G"),
                    "cpu": dict(quantity_value(), default="1",
                                description="Container CPU (--history-server-cpu-limit), a "
                                            "Kubernetes quantity.",
                                **{"x-kubernetes-validations": [{
                                    "rule": "!isQuantity(string(self)) || "
                                            "quantity(string(self)).isGreaterThan(quantity('0'))",
                                    "message": "must be positive"}]}),
                    "logDirectory": {"type": "string", "minLength": 1, "maxLength": 1024,
                                     "description": "spark.history.fs.logDirectory; defaults "
                                                    "to the event log directory of the cluster."},
                    "port": port("History server web UI port.", 18080),
                    "resources": resources("history server"),
                },
            },
            "livy": {
                "type": "object", "default": {},
                "description": "The Livy REST server (--enable-livy). Session drivers run in "
                               "its container, which is sized 1G + driverMemory x maxSessions "
                               "and 1 + driverCores x maxSessions cores.",
                "properties": {
                    "enabled": {"type": "boolean", "default": False,
                                "description": "Run a Livy server (--enable-livy)."},
                    "maxSessions": integer("Sessions allowed at once (--livy-max-sessions); "
                                           "idle sessions count. One more is refused with "
                                           "HTTP 400.", 1, 100, 3),
                    "driverCores": integer("Cores of each session's driver "
                                           "(--livy-driver-cores).", 1, 64, 1),
                    "driverMemory": memory("Memory of each session's driver "
                                           "(--livy-driver-memory).", "1024m"),
                    "sessionTimeout": duration("Idle time after which Livy ends a session "
                                               "(livy.server.session.timeout).", "10m"),
                    "port": port("Livy REST port.", 8998),
                    "resources": resources("Livy server"),
                },
                "x-kubernetes-validations": [
                    limit_fits("cpu", "1 + self.driverCores * self.maxSessions",
                               "must be at least 1 + driverCores x maxSessions: session drivers "
                               "run in the Livy container"),
                    limit_fits("memory", livy_mem,
                               "must be at least 1G + driverMemory x maxSessions: session "
                               "drivers run in the Livy container"),
                ],
            },
            "sparkConf": {
                "type": "object", "maxProperties": 256,
                "additionalProperties": {"type": "string", "maxLength": 4096},
                "description": "Extra Spark configuration for every component and session.",
                "x-kubernetes-validations": [
                    {"rule": "!('spark.master' in self)",
                     "message": "\"spark.master\" is set by the operator and must not be given here"},
                    {"rule": "!('spark.hadoop.yt.token' in self)",
                     "message": "\"spark.hadoop.yt.token\" is set by the operator and must not "
                                "be given here"},
                ],
            },
            "pod": {
                "type": "object",
                "description": "Pod settings applied to every component.",
                "properties": {
                    "labels": {"type": "object", "maxProperties": 64,
                               "additionalProperties": {"type": "string", "maxLength": 63,
                                                        "pattern": LABEL_VALUE_RE},
                               "description": "Extra pod labels."},
                    "annotations": {"type": "object", "maxProperties": 64,
                                    "additionalProperties": {"type": "string"},
                                    "description": "Extra pod annotations."},
                    "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"},
                                     "description": "Node labels pods must match."},
                    "tolerations": {
                        "type": "array", "maxItems": 64, "description": "Pod tolerations.",
                        "items": {"type": "object", "properties": {
                            "key": {"type": "string"},
                            "operator": {"type": "string", "enum": ["Exists", "Equal"]},
                            "value": {"type": "string"},
                            "effect": {"type": "string",
                                       "enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
                            "tolerationSeconds": {"type": "integer", "format": "int64"},
                        }},
                    },
                    "affinity": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                                 "description": "Pod affinity (core/v1 Affinity)."},
                    "serviceAccountName": {"type": "string", "maxLength": 253,
                                           "pattern": DNS1123_SUBDOMAIN_RE,
                                           "description": "ServiceAccount the pods run as."},
                    "imagePullSecrets": {"type": "array", "maxItems": 16,
                                         "items": {"type": "string"},
                                         "description": "Names of image pull Secrets."},
                    "priorityClassName": {"type": "string", "maxLength": 253,
                                          "description": "PriorityClass of the pods."},
                },
            },
        },
    }


def condition_schema():
    return {
        "type": "object",
        "required": ["type", "status", "lastTransitionTime", "reason", "message"],
        "properties": {
            "type": {"type": "string", "maxLength": 316},
            "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
            "observedGeneration": {"type": "integer", "format": "int64", "minimum": 0},
            "lastTransitionTime": {"type": "string", "format": "date-time"},
            "reason": {"type": "string", "maxLength": 1024},
            "message": {"type": "string", "maxLength": 4096},
        },
    }


def status_schema():
    text = {"type": "string", "maxLength": 512}
    return {
        "type": "object",
        "description": "What the operator observed. Bounded in size.",
        "properties": {
            "observedGeneration": {"type": "integer", "format": "int64",
                                   "description": "The generation the status describes."},
            "conditions": {
                "type": "array", "maxItems": 16, "items": condition_schema(),
                "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                "description": "Ready, MasterReady, WorkersReady, LivyReady, "
                               "HistoryServerReady, Reconciling, Degraded, Stalled (kstatus: True only "
                               "for an invalid spec), and LivyResponding "
                               "(the operator's poll of Livy's sessions; it does not gate Ready).",
            },
            "workers": {"type": "object", "description": "Worker counts.", "properties": {
                "desired": {"type": "integer", "format": "int32"},
                "ready": {"type": "integer", "format": "int32"},
                "summary": {"type": "string", "maxLength": 32,
                            "description": "ready/desired, for kubectl get."},
            }},
            "selector": dict(text, description="Label selector of the worker pods (scale "
                                               "subresource)."),
            "endpoints": {"type": "object", "description": "Where the components answer.",
                          "properties": {k: dict(text) for k in
                                         ["master", "webUI", "rest", "historyServer", "livy"]}},
            "discovery": {"type": "object", "description": "Where discovery records are.",
                          "properties": {"path": dict(text), "configMap": dict(text)}},
        },
    }


def crd():
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "spytclusters.spyt.dev",
                     "labels": {"app.kubernetes.io/name": "spyt-operator",
                                "app.kubernetes.io/part-of": "spyt-operator"}},
        "spec": {
            "group": "spyt.dev",
            "names": {"kind": "SpytCluster", "listKind": "SpytClusterList",
                      "plural": "spytclusters", "singular": "spytcluster",
                      "shortNames": ["spyt"], "categories": ["all", "spyt"]},
            "scope": "Namespaced",
            "versions": [{
                "name": "v1alpha1", "served": True, "storage": True,
                "subresources": {"status": {}, "scale": {
                    "specReplicasPath": ".spec.workers.replicas",
                    "statusReplicasPath": ".status.workers.ready",
                    "labelSelectorPath": ".status.selector"}},
                "additionalPrinterColumns": [
                    {"name": "Ready", "type": "string",
                     "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
                    {"name": "Workers", "type": "string", "jsonPath": ".status.workers.summary"},
                    {"name": "Livy", "type": "string",
                     "jsonPath": ".status.conditions[?(@.type==\"LivyReady\")].reason"},
                    {"name": "Livy Sessions", "type": "string", "priority": 1,
                     "jsonPath": ".status.conditions[?(@.type==\"LivyResponding\")].message"},
                    {"name": "Version", "type": "string", "jsonPath": ".spec.spytVersion",
                     "priority": 1},
                    {"name": "Master", "type": "string", "jsonPath": ".status.endpoints.master",
                     "priority": 1},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
                "schema": {"openAPIV3Schema": {
                    "type": "object",
                    "description": "A SPYT cluster: a Spark standalone master, workers, an "
                                   "optional history server and an optional Livy server, with "
                                   "discovery records in the layout SPYT's clients read.",
                    "required": ["spec"],
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "metadata": {"type": "object", "properties": {"name": {
                            "type": "string", "maxLength": 40,
                            "pattern": "^[a-z]([-a-z0-9]*[a-z0-9])?$",
                            "description": "A lower-case DNS-1035 label of at most 40 "
                                           "characters: child objects add suffixes to it."}}},
                        "spec": spec_schema(),
                        "status": status_schema(),
                    },
                }},
            }],
        },
    }


class Dumper(yaml.SafeDumper):
    pass


def _str(dumper, data):
    style = '"' if any(c in data for c in "'\\") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


Dumper.add_representer(str, _str)

if __name__ == "__main__":
    out = "# Generated by hack/gen-crd.py; DO NOT EDIT. Run `make manifests`.\n"
    out += yaml.dump(crd(), Dumper=Dumper, sort_keys=False, width=100)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            f.write(out)
    else:
        sys.stdout.write(out)
