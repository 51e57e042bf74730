# What goes into the runtime stage (packages, paths, ENV, USER, ENTRYPOINT) is defined in
# docker/images.env, which hack/images.sh builds from too; tests/integration/images checks
# that this file says the same.
# The operator image: `spyt-operator run` with the flags of charts/spyt-operator.
#   docker build -f docker/operator.Dockerfile -t IMAGE .     (from the repository root)
# Not built by `make test` (no container runtime there); tests/integration/kube/test_helm.py
# checks this file against the chart, the binary's shared libraries and hack/install-deps.sh.

# ---- build: the same Debian packages and CMake build as hack/install-deps.sh and `make build`.
FROM debian:bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libyaml-cpp-dev libboost-program-options-dev \
      prometheus-cpp-dev doctest-dev libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# tests/ only because the top-level CMakeLists.txt configures it; no test is built.
COPY CMakeLists.txt ./
COPY controller/ controller/
COPY tests/ tests/
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && cmake --build /build --target spyt-operator \
 && strip /build/controller/spyt-operator

# ---- runtime: the binary and the shared libraries it links (ldd), nothing else.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates \
      libstdc++6 \
      zlib1g libssl3 \
      libyaml-cpp0.7 \
      libboost-program-options1.74.0 \
      libprometheus-cpp-core1.0 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/controller/spyt-operator /usr/local/bin/spyt-operator
# Numeric, so that runAsNonRoot can verify it without an /etc/passwd entry.
USER 65532:65532
# The chart's Deployment passes only flags (--metrics-bind-address=0.0.0.0:8080 ...).
ENTRYPOINT ["spyt-operator", "run"]
