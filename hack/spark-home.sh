#!/usr/bin/env bash
# Installs Spark (once; hack/spark-livy.sh --spark-only) and prints SPARK_HOME.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
"$HACK_DIR/spark-livy.sh" --spark-only >/dev/null
# shellcheck disable=SC1091
. "$SPYT_CACHE/spark-livy.env"
echo "$SPARK_HOME"
