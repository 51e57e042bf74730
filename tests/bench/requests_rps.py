"""The Python baseline for bench_client_rps: sequential GETs of the same ConfigMap
with `requests` (one Session, so one kept-alive TLS connection) and the admin
client certificate of $SPYT_CONTROL_PLANE_DIR/kubeconfig. Run bench_client_rps
first (it creates the ConfigMap).

    python tests/bench/requests_rps.py [REQUESTS] [NAMESPACE] [NAME]
"""

import base64
import os
import sys
import tempfile
import time

import requests
import yaml


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    ns = sys.argv[2] if len(sys.argv) > 2 else "default"
    name = sys.argv[3] if len(sys.argv) > 3 else "bench-client-rps"
    kubeconfig = yaml.safe_load(open(os.environ["SPYT_CONTROL_PLANE_DIR"] + "/kubeconfig"))
    cluster = kubeconfig["clusters"][0]["cluster"]
    user = kubeconfig["users"][0]["user"]
    tmp = tempfile.mkdtemp()

    def dump(file, data):
        path = os.path.join(tmp, file)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    ca = dump("ca.crt", cluster["certificate-authority-data"])
    session = requests.Session()
    session.cert = (dump("client.crt", user["client-certificate-data"]),
                    dump("client.key", user["client-key-data"]))
    session.headers["Accept"] = "application/json"
    url = f"{cluster['server']}/api/v1/namespaces/{ns}/configmaps/{name}"
    # verify= per request: REQUESTS_CA_BUNDLE in the environment would override session.verify.
    for _ in range(50):
        session.get(url, verify=ca).raise_for_status()
    latencies = []
    start = time.monotonic()
    for _ in range(n):
        t0 = time.monotonic()
        r = session.get(url, verify=ca)
        r.raise_for_status()
        r.json()
        latencies.append((time.monotonic() - t0) * 1000)
    seconds = time.monotonic() - start
    latencies.sort()
    print(f"requests={n} seconds={seconds:.3f} rps={n / seconds:.1f} "
          f"p50_ms={latencies[n // 2]:.3f} p99_ms={latencies[n * 99 // 100]:.3f}")


if __name__ == "__main__":
    main()
