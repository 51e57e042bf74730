#!/usr/bin/env bash
# Installs (once) the Spark the project runs, and the Apache Livy its tests use
# as an oracle, from package registries only, and writes $SPYT_CACHE/spark-livy.env
# for other scripts and tests to source:
#   SPARK_VERSION, SPARK_HOME            pyspark==$SPARK_VERSION from PyPI in a venv;
#                                        SPARK_HOME is the pyspark package directory
#                                        (bin/spark-class, bin/spark-submit, jars/, Scala 2.12)
#   SPARK_PYTHON, PYSPARK_PYTHON         that venv's python (imports pyspark): what Livy
#                                        session drivers and PySpark workers run
#   LIVY_VERSION, LIVY_HOME              Livy assembled from Maven Central with
#                                        hack/livy/pom.xml into LIVY_HOME/{jars,rsc-jars,repl_2.12-jars}
#   LIVY_SERVER_JARS_DIR                 the server classpath (main class org.apache.livy.server.LivyServer)
#   LIVY_RSC_JARS, LIVY_REPL_JARS        comma-separated jar lists for livy.rsc.jars / livy.repl.jars
#                                        (LIVY_REPL_JARS is empty when Maven Central has no
#                                        livy-repl_2.12 for that version: then Livy answers
#                                        POST /sessions with 400 "Cannot find Livy REPL jars.")
# Each part is cached under $SPYT_CACHE keyed by its version (and, for Livy, by the
# pom's hash) with a marker written last, so a half-finished install is redone.
# A second run does no network access and takes well under a second.
#
# SPYT_LIVY_VERSION overrides LIVY_VERSION from hack/versions.env (to try another
# release without editing the pin). `--spark-only` installs Spark alone (make run
# and the build need no Apache Livy): the LIVY_* lines are then written only when
# Livy is already installed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

LIVY_VERSION=${SPYT_LIVY_VERSION:-$LIVY_VERSION}
spark_only=false
[ "${1:-}" = "--spark-only" ] && spark_only=true
LIVY_SCALA_BINARY=2.12
ENV_FILE="$SPYT_CACHE/spark-livy.env"
mkdir -p "$SPYT_CACHE"

command -v java >/dev/null || die "java is not on PATH (Spark and Livy need Java 17)"

# ---------------------------------------------------------------- Spark ----
spark_venv="$SPYT_CACHE/spark-$SPARK_VERSION"
spark_marker="$spark_venv/.complete"   # holds SPARK_HOME

spark_home_ok() { # DIR
  [ -x "$1/bin/spark-class" ] && [ -x "$1/bin/spark-submit" ] &&
    [ -f "$1/jars/spark-core_2.12-$SPARK_VERSION.jar" ]
}

install_spark() {
  log "installing pyspark==$SPARK_VERSION into $spark_venv"
  rm -rf "$spark_venv"
  python3 -m venv "$spark_venv"
  "$spark_venv/bin/pip" install -q --disable-pip-version-check "pyspark==$SPARK_VERSION" >&2
  local home
  home=$("$spark_venv/bin/python" -c 'import os, pyspark; print(os.path.dirname(os.path.realpath(pyspark.__file__)))')
  spark_home_ok "$home" || die "pyspark $SPARK_VERSION at $home lacks bin/spark-class, bin/spark-submit or jars/spark-core_2.12-$SPARK_VERSION.jar"
  echo "$home" >"$spark_marker"
}

if [ ! -f "$spark_marker" ] || ! spark_home_ok "$(cat "$spark_marker")"; then
  install_spark
fi
SPARK_HOME=$(cat "$spark_marker")

# ----------------------------------------------------------------- Livy ----
pom="$HACK_DIR/livy/pom.xml"
pom_key=$(sha256sum "$pom" | cut -c1-12)
livy_home="$SPYT_CACHE/livy-$LIVY_VERSION"
livy_marker="$livy_home/.complete"     # holds the pom's hash
m2="$SPYT_CACHE/m2"

# copy_jars PROFILE DEST [EXCLUDED_GROUPS]: the runtime closure of one profile's
# artifact into DEST. Fails (quietly; the log is kept) when Maven cannot resolve it.
copy_jars() {
  local profile=$1 dest=$2 exclude=${3:-} mvn_log="$livy_home.tmp/mvn-$1.log"
  local args=(-B -U -f "$pom" -P "$profile" -Dmaven.repo.local="$m2"
    -Dlivy.version="$LIVY_VERSION" -Dlivy.scala.binary="$LIVY_SCALA_BINARY"
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dest")
  [ -z "$exclude" ] || args+=(-DexcludeGroupIds="$exclude")
  if ! mvn "${args[@]}" >"$mvn_log" 2>&1; then
    grep -E '^\[ERROR\]' "$mvn_log" | head -3 | sed 's/^/    /' >&2 || true
    return 1
  fi
}

install_livy() {
  log "assembling Livy $LIVY_VERSION from Maven Central into $livy_home (cold: about a minute)"
  rm -rf "$livy_home" "$livy_home.tmp"
  mkdir -p "$livy_home.tmp"
  copy_jars livy-server "$livy_home.tmp/jars" ||
    die "Maven Central has no org.apache.livy:livy-server:$LIVY_VERSION here (or its dependencies); see $livy_home.tmp/mvn-livy-server.log. Set LIVY_VERSION in hack/versions.env (or SPYT_LIVY_VERSION) to a release the registry serves, e.g. 0.7.1-incubating"
  # Spark brings its own spark-* classes and Scala library to every session.
  copy_jars livy-rsc "$livy_home.tmp/rsc-jars" org.apache.spark,org.spark-project.spark ||
    die "cannot resolve org.apache.livy:livy-rsc:$LIVY_VERSION; see $livy_home.tmp/mvn-livy-rsc.log"
  if ! copy_jars livy-repl "$livy_home.tmp/repl_$LIVY_SCALA_BINARY-jars" org.apache.spark,org.spark-project.spark,org.scala-lang; then
    log "warning: no org.apache.livy:livy-repl_$LIVY_SCALA_BINARY:$LIVY_VERSION on Maven Central here:" \
      "the Livy server will start and answer, but POST /sessions cannot start an interpreter"
    rm -rf "$livy_home.tmp/repl_$LIVY_SCALA_BINARY-jars"
  fi
  ls "$livy_home.tmp/jars"/livy-server-*.jar >/dev/null 2>&1 || die "no livy-server jar was copied"
  # Defaults for a conf dir: Livy reads livy.conf from $LIVY_CONF_DIR (else
  # $LIVY_HOME/conf) and its log4j config from the classpath.
  mkdir -p "$livy_home.tmp/conf" "$livy_home.tmp/logs"
  cat >"$livy_home.tmp/conf/log4j.properties" <<'EOF'
log4j.rootCategory=INFO, console
log4j.appender.console=org.apache.log4j.ConsoleAppender
log4j.appender.console.target=System.err
log4j.appender.console.layout=org.apache.log4j.PatternLayout
log4j.appender.console.layout.ConversionPattern=%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n
log4j.logger.org.eclipse.jetty=WARN
EOF
  mv "$livy_home.tmp" "$livy_home"
  echo "$pom_key" >"$livy_marker"
}

livy_ok() { [ -f "$livy_marker" ] && [ "$(cat "$livy_marker")" = "$pom_key" ]; }
if ! livy_ok && ! $spark_only; then
  install_livy
fi

jar_list() { # DIR -> comma-separated absolute paths of its jars, sorted; empty if no DIR
  [ -d "$1" ] || return 0
  find "$1" -maxdepth 1 -name '*.jar' | sort | paste -sd, -
}

repl_dir="$livy_home/repl_$LIVY_SCALA_BINARY-jars"
tmp_env=$(mktemp "$SPYT_CACHE/.spark-livy.env.XXXXXX")
cat >"$tmp_env" <<EOF
# Written by hack/spark-livy.sh; source it.
SPARK_VERSION=$SPARK_VERSION
SPARK_HOME=$SPARK_HOME
SPARK_PYTHON=$spark_venv/bin/python
PYSPARK_PYTHON=$spark_venv/bin/python
EOF
if livy_ok; then cat >>"$tmp_env" <<EOF
LIVY_VERSION=$LIVY_VERSION
LIVY_HOME=$livy_home
LIVY_SERVER_JARS_DIR=$livy_home/jars
LIVY_CONF_TEMPLATE_DIR=$livy_home/conf
LIVY_SCALA_BINARY=$LIVY_SCALA_BINARY
LIVY_RSC_JARS=$(jar_list "$livy_home/rsc-jars")
LIVY_REPL_JARS=$(jar_list "$repl_dir")
EOF
fi
mv "$tmp_env" "$ENV_FILE"
grep -E "^(SPARK_HOME|LIVY_HOME|LIVY_VERSION|SPARK_VERSION)=" "$ENV_FILE" || true
