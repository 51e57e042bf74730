# spyt-operator: `make help` lists the targets.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CTEST_ARGS ?=
# The real-node tests (ctest label `node`: containerd, kubelet, kube-proxy and CoreDNS on this
# machine, hack/node.sh) need root and change host settings that `hack/node.sh down` restores.
# `make test` runs them when run as root; NODE_TESTS=OFF leaves them out.
NODE_TESTS ?= $(if $(filter 0,$(shell id -u)),ON,OFF)

# Every build compiles through ccache (installed by hack/install-deps.sh; its cache is
# ~/.cache/ccache), keyed on paths relative to the checkout and not on the build directory,
# so a fresh clone anywhere reuses what another checkout compiled.
CMAKE_LAUNCHER := -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help.
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

# Steps several targets need. As prerequisites (not recipe lines) they run at most once
# per make invocation, however many of the requested targets depend on them.
.PHONY: host-deps
host-deps:
	hack/install-deps.sh

# The test venv: hack/python-env.sh creates it (once) and prints its path. The first
# expansion of $(PYTHON_ENV), in the recipe of python-env, runs the script and keeps its
# answer, so that later recipes of the same make invocation do not run it again.
PYTHON_ENV = $(eval PYTHON_ENV := $$(shell hack/python-env.sh))$(PYTHON_ENV)

.PHONY: python-env
python-env:
	@[ -n "$(PYTHON_ENV)" ] && [ -x "$(PYTHON_ENV)/bin/python" ] || { echo "hack/python-env.sh failed" >&2; exit 1; }

.PHONY: deps
deps: host-deps python-env ## Install everything the build and tests need (idempotent, cached in ~/.cache/spyt-operator).
	hack/tools.sh
	hack/spark-livy.sh

# Spark (pyspark from PyPI): the build compiles the Livy session drivers' Scala
# interpreter against its jars. Expanded once per make invocation, like PYTHON_ENV.
SPARK_HOME_DIR = $(eval SPARK_HOME_DIR := $$(shell hack/spark-home.sh))$(SPARK_HOME_DIR)

RUN_STATE ?= $(HOME)/.cache/spyt-operator/run

.PHONY: run
run: build ## Run the local controller on examples/local: a master, 2 workers and Livy (5 sessions, 1 core / 1G drivers).
	@echo "state, logs and discovery in $(RUN_STATE); edit examples/local/*.yaml to change the cluster; Ctrl-C stops it"
	$(BUILD_DIR)/controller/spyt-operator local --manifests examples/local --state-dir $(RUN_STATE)

.PHONY: build
build: host-deps python-env ## Configure and build the operator and the unit tests.
	@[ -n "$(SPARK_HOME_DIR)" ] || { echo "hack/spark-home.sh failed" >&2; exit 1; }
	cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_LAUNCHER) -DSPYT_PYTHON=$(PYTHON_ENV)/bin/python -DSPYT_SPARK_HOME=$(SPARK_HOME_DIR) -DSPYT_NODE_TESTS=$(NODE_TESTS) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Only the real-node tests (root), with their figures printed (-V).
.PHONY: test-node
test-node: NODE_TESTS = ON
test-node: deps build ## Real-node tests (root): containerd + kubelet here run the operator (helm) and a Livy cluster.
	cd $(BUILD_DIR) && ctest --output-on-failure -V -L node $(CTEST_ARGS)

.PHONY: test
test: deps manifests-check build tsan asan ## Install, build and run every test: the runtime's and the HTTP server's unit tests under ThreadSanitizer, every unit test under ASan+UBSan, then ctest (unit, integration and, as root, the real node).
	@[ "$(NODE_TESTS)" = ON ] || echo "make test: not root, so the real-node tests (label node) are left out"
	cd $(BUILD_DIR) && ctest --output-on-failure $(CTEST_ARGS)

.PHONY: unit
unit: build ## Run the unit tests only.
	cd $(BUILD_DIR) && ctest --output-on-failure -L unit $(CTEST_ARGS)

.PHONY: manifests
manifests: ## Regenerate crds/, the chart's copy of the CRD and manifests/install.yaml.
	$$(hack/python-env.sh)/bin/python hack/gen-crd.py crds/spyt.dev_spytclusters.yaml
	hack/check-manifests.sh --update

.PHONY: chart-crds
chart-crds: ## Copy crds/ into charts/spyt-operator/crds/ (Helm installs it from there).
	cp crds/spyt.dev_spytclusters.yaml charts/spyt-operator/crds/

.PHONY: manifests-check
manifests-check: python-env ## Fail when crds/, the chart's CRD or manifests/install.yaml is stale.
	@$(PYTHON_ENV)/bin/python hack/gen-crd.py | diff -u crds/spyt.dev_spytclusters.yaml - \
	  || { echo "crds/ is stale: run 'make manifests'"; exit 1; }
	@hack/check-manifests.sh

.PHONY: control-plane-up
control-plane-up: ## Start a local kube-apiserver, etcd, controller-manager, scheduler and kwok.
	hack/control-plane.sh up

.PHONY: control-plane-down
control-plane-down: ## Stop the local control plane.
	hack/control-plane.sh down

FUZZ_SECONDS ?= 60

.PHONY: fuzz
fuzz: ## Fuzz every parser of outside input (libFuzzer + ASan/UBSan, clang) FUZZ_SECONDS each; prints executions and coverage.
	hack/fuzz.sh --seconds $(FUZZ_SECONDS)

.PHONY: fuzz-smoke
fuzz-smoke: ## A few seconds of fuzzing per target (make test replays the checked-in corpus without libFuzzer).
	hack/fuzz.sh --seconds 5

.PHONY: format
format: ## Format the C++ sources with clang-format.
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

.PHONY: lint
lint: ## Check formatting and build with warnings as errors.
	git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror
	$(MAKE) build

.PHONY: clean
clean: ## Remove the build directory.
	rm -rf $(BUILD_DIR)

TSAN_DIR ?= build-tsan
ASAN_DIR ?= build-asan

.PHONY: tsan
tsan: host-deps ## Build the runtime and HTTP server unit tests with ThreadSanitizer (in build-tsan/) and run them.
	cmake -S . -B $(TSAN_DIR) -G Ninja $(CMAKE_LAUNCHER) -DSPYT_SANITIZE=thread >/dev/null
	cmake --build $(TSAN_DIR) -j $(JOBS) --target runtime_unit_tests
	TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" $(TSAN_DIR)/tests/runtime_unit_tests

.PHONY: asan
asan: host-deps ## Build every unit test with AddressSanitizer and UBSan (in build-asan/) and run them.
	cmake -S . -B $(ASAN_DIR) -G Ninja $(CMAKE_LAUNCHER) -DSPYT_SANITIZE=address >/dev/null
	cmake --build $(ASAN_DIR) -j $(JOBS) --target unit_tests
	ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0" LSAN_OPTIONS="suppressions=$(CURDIR)/tests/lsan.supp" \
	  UBSAN_OPTIONS="print_stacktrace=1" $(ASAN_DIR)/tests/unit_tests
