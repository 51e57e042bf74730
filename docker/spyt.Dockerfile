# What goes into the runtime stage (packages, paths, ENV, USER, ENTRYPOINT) is defined in
# docker/images.env, which hack/images.sh builds from too; tests/integration/images checks
# that this file says the same.
# The SPYT runtime image every SpytCluster pod runs: Java 17, Spark, spyt-launcher
# (which serves Livy's REST API itself) and the Livy session driver. The operator starts it as
#   spyt-launcher master|worker|history|livy --host $(POD_IP) ... --conf-dir /opt/spyt/conf
# with the cluster's ConfigMap mounted read-only at /opt/spyt/conf, a read-only root
# filesystem and an emptyDir at /tmp, where the launcher writes (/tmp/spyt/ROLE).
#   docker build -f docker/spyt.Dockerfile -t REPOSITORY:SPYT_VERSION .   (from the repository root)
# The operator's --image-repository (chart value spytImageRepository) names REPOSITORY; a
# cluster's image tag is its spec.spytVersion: build each tag with --build-arg
# SPYT_VERSION=<that version>, which installs that SPYT release's jars (the default is
# kDefaultSpytVersion in controller/api/defaults.h, which says why that release).

ARG SPARK_VERSION=3.5.8
ARG SPYT_VERSION=2.9.3

# ---- the launcher, built like the operator (docker/operator.Dockerfile).
FROM debian:bookworm AS launcher
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libyaml-cpp-dev libboost-program-options-dev \
      prometheus-cpp-dev doctest-dev libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY controller/ controller/
COPY tests/ tests/
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build --target spyt-launcher \
 && strip /build/controller/spyt-launcher

# ---- the Livy session driver (controller/livy_server/driver): its Scala interpreter
# compiled against the Spark jars of the pyspark wheel the runtime installs.
FROM debian:bookworm AS driver
ARG SPARK_VERSION
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
RUN python3 -m venv /opt/spark-venv \
 && /opt/spark-venv/bin/pip install --no-cache-dir "pyspark==${SPARK_VERSION}"
WORKDIR /src
COPY hack/build-driver.sh hack/
COPY controller/livy_server/driver/ controller/livy_server/driver/
RUN hack/build-driver.sh "$(/opt/spark-venv/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')" /opt/spyt/driver

# ---- runtime
FROM debian:bookworm-slim
ARG SPARK_VERSION
ARG SPYT_VERSION
# Set by BuildKit (amd64, arm64): Debian names the JDK directory after it.
ARG TARGETARCH
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless python3 python3-venv procps \
      libstdc++6 libboost-program-options1.74.0 libssl3 \
 && rm -rf /var/lib/apt/lists/*
# Spark from the pyspark wheel, as hack/spark-livy.sh installs it for the tests: the
# package directory is a complete SPARK_HOME (bin/spark-class, jars/, Scala 2.12).
RUN python3 -m venv /opt/spark-venv \
 && /opt/spark-venv/bin/pip install --no-cache-dir "pyspark==${SPARK_VERSION}" \
 && ln -s "$(/opt/spark-venv/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')" /opt/spark
# SPYT's jars, as the local controller installs them (controller/local/spyt_releases.h): the
# spyt package of the ytsaurus-spyt wheel; Livy gives its jars/ to every driver.
RUN /opt/spark-venv/bin/pip install --no-cache-dir --no-deps --only-binary=:all: \
      --target /opt/spyt/release "ytsaurus-spyt==${SPYT_VERSION}" \
 && ls /opt/spyt/release/spyt/jars/*.jar >/dev/null
COPY --from=driver /opt/spyt/driver /opt/spyt/driver
COPY --from=launcher /build/controller/spyt-launcher /usr/local/bin/spyt-launcher
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-${TARGETARCH} \
    SPARK_HOME=/opt/spark \
    SPYT_DRIVER_HOME=/opt/spyt/driver \
    SPYT_HOME=/opt/spyt/release/spyt \
    PYSPARK_PYTHON=/opt/spark-venv/bin/python \
    PATH=/opt/spark-venv/bin:/opt/spark/bin:$PATH
# The ConfigMap's mount point and the scratch space (an emptyDir in pods, where the root
# filesystem is read-only; writable here for `docker run`).
# Spark's Hadoop login needs a name for the uid (without one: "invalid null input: name").
RUN mkdir -p /opt/spyt/conf && chmod 1777 /tmp \
 && groupadd --gid 1000 spyt \
 && useradd --uid 1000 --gid 1000 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin spyt
USER 1000:1000
WORKDIR /tmp
ENTRYPOINT ["spyt-launcher"]
