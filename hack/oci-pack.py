#!/usr/bin/env python3
"""Packs a root filesystem directory into a one-layer OCI image-layout tarball that
`ctr images import` reads (no registry, no Docker engine).

    hack/oci-pack.py OUT.tar ROOTFS... --name REPO [--user U] [--workdir D]
                     [--env K=V]... [--entrypoint JSON] [--cmd JSON]

The ROOTFS directories are stacked into the one layer (a later one's files win).
The layer is an uncompressed, reproducible tar (GNU tar: sorted names, numeric owners,
mtime 0), so the same files give the same digests. The image is tagged with the first 12
hex digits of its config digest (a content hash): the tag printed on stdout as REPO:TAG.
"""
import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def blob(data):
    return hashlib.sha256(data).hexdigest(), data


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("rootfs", nargs="+")
    p.add_argument("--name", required=True)
    p.add_argument("--user", default="")
    p.add_argument("--workdir", default="")
    p.add_argument("--env", action="append", default=[])
    p.add_argument("--entrypoint", default="null")
    p.add_argument("--cmd", default="null")
    a = p.parse_args()

    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(a.out))) as tmp:
        layer = os.path.join(tmp, "layer.tar")
        dirs = []
        for d in a.rootfs:
            dirs += ["-C", os.path.abspath(d), "."]
        subprocess.run(
            ["tar", "--sort=name", "--numeric-owner", "--mtime=@0", "--xattrs",
             "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
             "-cf", layer] + dirs, check=True)
        layer_digest = sha256_file(layer)
        layer_size = os.path.getsize(layer)
        config = {
            "architecture": "amd64", "os": "linux",
            "config": {k: v for k, v in {
                "User": a.user, "WorkingDir": a.workdir, "Env": a.env,
                "Entrypoint": json.loads(a.entrypoint), "Cmd": json.loads(a.cmd)}.items() if v},
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + layer_digest]},
            "history": [{"created_by": "hack/oci-pack.py"}],
        }
        config_digest, config_bytes = blob(json.dumps(config, sort_keys=True).encode())
        manifest = {
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": "sha256:" + config_digest, "size": len(config_bytes)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": "sha256:" + layer_digest, "size": layer_size}],
        }
        manifest_digest, manifest_bytes = blob(json.dumps(manifest, sort_keys=True).encode())
        ref = f"{a.name}:{config_digest[:12]}"
        index = {"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + manifest_digest, "size": len(manifest_bytes),
            "annotations": {"io.containerd.image.name": ref,
                            "org.opencontainers.image.ref.name": config_digest[:12]}}]}

        def add_bytes(tf, name, data):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))

        partial = a.out + ".partial"
        with tarfile.open(partial, "w") as tf:
            add_bytes(tf, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
            add_bytes(tf, "index.json", json.dumps(index).encode())
            add_bytes(tf, f"blobs/sha256/{config_digest}", config_bytes)
            add_bytes(tf, f"blobs/sha256/{manifest_digest}", manifest_bytes)
            tf.add(layer, arcname=f"blobs/sha256/{layer_digest}")
        os.replace(partial, a.out)
    print(ref)


if __name__ == "__main__":
    sys.exit(main())
