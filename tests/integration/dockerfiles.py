"""Reading the project's Dockerfiles for the tests that check them against the code and
the image definition (kube/test_helm.py, images/test_image_definition.py)."""

import re


def stages(path):
    """Each stage of the Dockerfile at `path`: {"from": its base, "lines": its instructions},
    continuation lines joined, blank lines and comments left out, each line stripped."""
    out = []
    for line in path.read_text().replace("\\\n", " ").splitlines():
        if line.startswith("FROM "):
            out.append({"from": line.split()[1], "lines": []})
        elif out and line.strip() and not line.lstrip().startswith("#"):
            out[-1]["lines"].append(line.strip())
    return out


def apt_packages(stage):
    """The packages a stage's `apt-get install -y --no-install-recommends` lines install."""
    pkgs = set()
    for line in stage["lines"]:
        m = re.search(r"apt-get install -y --no-install-recommends (.*?)(&&|$)", line)
        if m:
            pkgs |= set(m.group(1).split())
    return pkgs
