"""docker/images.env is the one definition of what goes into each image: hack/images.sh
builds from it (the real-node tests), docker/*.Dockerfile must say the same. No container
runtime needed: this reads the files (and hack/images.sh's use of the definition)."""

import json
import re
import shlex
from pathlib import Path

import pytest

import dockerfiles

REPO = Path(__file__).resolve().parents[3]
DOCKER = REPO / "docker"
DOCKER_DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def definition():
    text = (DOCKER / "images.env").read_text()
    pairs = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.fullmatch(r"([A-Z_]+)=(.*)", line)
        assert m, f"docker/images.env: not NAME=value: {line!r}"
        pairs[m.group(1)] = shlex.split(m.group(2))[0] if m.group(2) else ""
    return pairs


def runtime_stage(dockerfile):
    """The last stage of a Dockerfile."""
    return dockerfiles.stages(DOCKER / dockerfile)[-1]


def instruction(stage, name):
    found = [line.split(None, 1)[1] for line in stage["lines"] if line.split()[0] == name]
    assert len(found) == 1, f"expected one {name} in the runtime stage, found {found}"
    return found[0]


def dockerfile_env(stage):
    """ENV of the runtime stage as a dict, with ${TARGETARCH} as amd64 and $PATH as Docker's."""
    env = {}
    for line in stage["lines"]:
        if line.startswith("ENV "):
            for word in shlex.split(line[4:]):
                key, value = word.split("=", 1)
                value = value.replace("${TARGETARCH}", "amd64").replace("$PATH", DOCKER_DEFAULT_PATH)
                env[key] = value
    return env


@pytest.mark.parametrize("image,dockerfile", [("OPERATOR", "operator.Dockerfile"), ("SPYT", "spyt.Dockerfile")])
def test_dockerfile_installs_exactly_the_defined_packages(image, dockerfile):
    d = definition()
    stage = runtime_stage(dockerfile)
    assert dockerfiles.apt_packages(stage) == set(d[f"{image}_PACKAGES"].split())
    assert stage["from"] == f"debian:{d['IMAGE_DEBIAN_RELEASE']}-slim"


@pytest.mark.parametrize("image,dockerfile", [("OPERATOR", "operator.Dockerfile"), ("SPYT", "spyt.Dockerfile")])
def test_dockerfile_user_entrypoint_and_binary_are_the_defined_ones(image, dockerfile):
    d = definition()
    stage = runtime_stage(dockerfile)
    assert instruction(stage, "USER") == d[f"{image}_USER"]
    assert json.loads(instruction(stage, "ENTRYPOINT")) == json.loads(d[f"{image}_ENTRYPOINT"])
    copies = [line for line in stage["lines"] if line.startswith("COPY ")]
    assert any(line.split()[-1] == d[f"{image}_BINARY"] for line in copies), copies


def test_spyt_dockerfile_environment_is_the_defined_one():
    d = definition()
    stage = runtime_stage("spyt.Dockerfile")
    defined = dict(kv.split("=", 1) for kv in d["SPYT_ENV"].split())
    assert dockerfile_env(stage) == defined
    assert instruction(stage, "WORKDIR") == d["SPYT_WORKDIR"]
    text = "\n".join(stage["lines"])
    for key in ["SPYT_VENV", "SPYT_SPARK_LINK", "SPYT_RELEASE_DIR", "SPYT_CONF_DIR"]:
        assert d[key] in text, f"{key}={d[key]} is not where spyt.Dockerfile puts it"
    uid, gid = d["SPYT_USER"].split(":")
    assert f"groupadd --gid {gid} {d['SPYT_ACCOUNT']}" in text, "the user needs a passwd name (Hadoop's login)"
    assert f"useradd --uid {uid} --gid {gid}" in text and text.split("useradd", 1)[1].split("\n")[0].rstrip().endswith(
        d["SPYT_ACCOUNT"])
    assert any(line.startswith("COPY --from=driver") and line.split()[-1] == d["SPYT_DRIVER_DIR"]
               for line in stage["lines"])


def test_the_local_build_reads_every_defined_name():
    script = (REPO / "hack" / "images.sh").read_text()
    assert 'source "$REPO_ROOT/docker/images.env"' in script
    unused = [name for name in definition() if f"${name}" not in script and f"${{{name}" not in script]
    assert unused == [], "hack/images.sh ignores part of the definition"
