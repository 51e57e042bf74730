# Shared helpers for hack/ scripts. Source it; it defines paths and logging.
# shellcheck shell=bash
HACK_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HACK_DIR/.." && pwd)
# shellcheck source=versions.env
source "$HACK_DIR/versions.env"

# Everything built or downloaded lives here, outside the repo, keyed by version.
SPYT_CACHE=${SPYT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/spyt-operator}
TOOLS_BIN="$SPYT_CACHE/bin"
export GOTOOLCHAIN=local

log() { echo "[$(date +%H:%M:%S)] $(basename "$0"): $*" >&2; }
die() { log "error: $*"; exit 1; }

# tool_path NAME VERSION -> the cached binary's path.
tool_path() { echo "$TOOLS_BIN/$1-$2"; }
