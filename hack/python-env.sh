#!/usr/bin/env bash
# Creates (once) the virtualenv the tests run in and prints its path. The venv is
# keyed by the hash of requirements-test.txt, so editing the file makes a new one;
# a marker written last means a half-finished install is redone, not trusted.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
req="$HACK_DIR/requirements-test.txt"
key=$(sha256sum "$req" | cut -c1-12)
venv="$SPYT_CACHE/venv-test-$key"
if [ ! -f "$venv/.complete" ]; then
  log "creating $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2
  touch "$venv/.complete"
fi
echo "$venv"
