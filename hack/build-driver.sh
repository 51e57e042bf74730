#!/usr/bin/env bash
# Builds the Livy session driver host: compiles controller/livy_server/driver/
# SpytScalaInterpreter.scala with the Scala compiler that ships in SPARK_HOME/jars
# into OUT_DIR/spyt-repl.jar and copies the driver's Python files to OUT_DIR.
#
#   hack/build-driver.sh SPARK_HOME OUT_DIR
#
# The compile (10-30 s) is skipped when a hash of the Scala source, this script
# and the Spark jars' names (so the Spark and Scala versions) is unchanged.
set -euo pipefail
shopt -s nullglob

if [ $# -ne 2 ]; then
  echo "usage: $0 SPARK_HOME OUT_DIR" >&2
  exit 2
fi
spark_home=$1
out=$2
src_dir=$(cd "$(dirname "$0")/../controller/livy_server/driver" && pwd)
scala_src="$src_dir/SpytScalaInterpreter.scala"

[ -d "$spark_home/jars" ] || { echo "$0: $spark_home/jars does not exist" >&2; exit 1; }
compgen -G "$spark_home/jars/scala-compiler*.jar" >/dev/null ||
  { echo "$0: no scala-compiler jar in $spark_home/jars" >&2; exit 1; }

mkdir -p "$out"
hash=$( { cat "$scala_src" "$0"; ls "$spark_home/jars"; } | sha256sum | cut -c1-16)
stamp="$out/spyt-repl.jar.hash"

if [ ! -f "$out/spyt-repl.jar" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
  classes=$(mktemp -d "$out/.classes.XXXXXX")
  trap 'rm -rf "$classes"' EXIT
  echo "$0: compiling $(basename "$scala_src") against $spark_home/jars" >&2
  java -Xss8m -cp "$spark_home/jars/*" scala.tools.nsc.Main -usejavacp -nowarn -d "$classes" "$scala_src"
  jar cf "$out/spyt-repl.jar.tmp" -C "$classes" .
  mv "$out/spyt-repl.jar.tmp" "$out/spyt-repl.jar"
  echo "$hash" >"$stamp"
fi

for f in "$src_dir"/*.py; do
  cmp -s "$f" "$out/$(basename "$f")" || cp "$f" "$out/"
done
