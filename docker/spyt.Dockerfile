# The SPYT runtime image every SpytCluster pod runs: Java 17, Spark, Livy and
# spyt-launcher. The operator starts it as
#   spyt-launcher master|worker|history|livy --host $(POD_IP) ... --conf-dir /opt/spyt/conf
# with the cluster's ConfigMap mounted read-only at /opt/spyt/conf, a read-only root
# filesystem and an emptyDir at /tmp, where the launcher writes (/tmp/spyt/ROLE).
#   docker build -f docker/spyt.Dockerfile -t REPOSITORY:SPYT_VERSION .   (from the repository root)
# The operator's --image-repository (chart value spytImageRepository) names REPOSITORY; a
# cluster's image tag is its spec.spytVersion.

ARG SPARK_VERSION=3.5.8
ARG LIVY_VERSION=0.8.0-incubating

# ---- the launcher, built like the operator (docker/operator.Dockerfile).
FROM debian:bookworm AS launcher
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libcpprest-dev libyaml-cpp-dev libboost-program-options-dev \
      prometheus-cpp-dev doctest-dev libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY controller/ controller/
COPY tests/ tests/
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build --target spyt-launcher \
 && strip /build/controller/spyt-launcher

# ---- Livy: the Apache binary release for Scala 2.12 (jars/, rsc-jars/, repl_2.12-jars/).
FROM debian:bookworm-slim AS livy
ARG LIVY_VERSION
ARG LIVY_URL=https://archive.apache.org/dist/incubator/livy/${LIVY_VERSION}/apache-livy-${LIVY_VERSION}_2.12-bin.zip
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl unzip \
 && rm -rf /var/lib/apt/lists/*
RUN curl -fsSLo /tmp/livy.zip "${LIVY_URL}" \
 && unzip -q /tmp/livy.zip -d /tmp \
 && mv /tmp/apache-livy-*-bin /opt/livy \
 && rm -rf /opt/livy/conf /opt/livy/logs /tmp/livy.zip

# ---- runtime
FROM debian:bookworm-slim
ARG SPARK_VERSION
# Set by BuildKit (amd64, arm64): Debian names the JDK directory after it.
ARG TARGETARCH
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless python3 python3-venv procps \
      libstdc++6 libboost-program-options1.74.0 libyaml-cpp0.7 \
 && rm -rf /var/lib/apt/lists/*
# Spark from the pyspark wheel, as hack/spark-livy.sh installs it for the tests: the
# package directory is a complete SPARK_HOME (bin/spark-class, jars/, Scala 2.12).
RUN python3 -m venv /opt/spark-venv \
 && /opt/spark-venv/bin/pip install --no-cache-dir "pyspark==${SPARK_VERSION}" \
 && ln -s "$(/opt/spark-venv/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')" /opt/spark
COPY --from=livy /opt/livy /opt/livy
COPY --from=launcher /build/controller/spyt-launcher /usr/local/bin/spyt-launcher
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-${TARGETARCH} \
    SPARK_HOME=/opt/spark \
    LIVY_HOME=/opt/livy \
    PYSPARK_PYTHON=/opt/spark-venv/bin/python \
    PATH=/opt/spark-venv/bin:/opt/spark/bin:$PATH
# The ConfigMap's mount point and the scratch space (an emptyDir in pods, where the root
# filesystem is read-only; writable here for `docker run`).
RUN mkdir -p /opt/spyt/conf && chmod 1777 /tmp
USER 1000:1000
WORKDIR /tmp
ENTRYPOINT ["spyt-launcher"]
