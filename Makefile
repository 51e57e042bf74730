# spyt-operator: `make help` lists the targets.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CTEST_ARGS ?=

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help.
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## Install everything the build and tests need (idempotent, cached in ~/.cache/spyt-operator).
	hack/install-deps.sh
	hack/tools.sh
	hack/spark-livy.sh
	hack/python-env.sh >/dev/null

RUN_STATE ?= $(HOME)/.cache/spyt-operator/run

.PHONY: run
run: ## Run the local runtime on examples/local: a master, 2 workers and Livy (5 sessions, 1 core / 1G drivers).
	hack/install-deps.sh
	hack/spark-livy.sh >/dev/null
	$(MAKE) --no-print-directory build
	@echo "state, logs and discovery in $(RUN_STATE); edit examples/local/*.yaml to change the cluster; Ctrl-C stops it"
	$(BUILD_DIR)/controller/spyt-operator local --manifests examples/local --state-dir $(RUN_STATE)

.PHONY: build
build: ## Configure and build the operator and the unit tests.
	hack/install-deps.sh
	cmake -S . -B $(BUILD_DIR) -G Ninja -DSPYT_PYTHON=$$(hack/python-env.sh)/bin/python >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

.PHONY: test
test: deps build manifests-check ## Install, build and run every test (unit + integration) with ctest.
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
manifests-check: ## Fail when crds/, the chart's CRD or manifests/install.yaml is stale.
	@$$(hack/python-env.sh)/bin/python hack/gen-crd.py | diff -u crds/spyt.dev_spytclusters.yaml - \
	  || { echo "crds/ is stale: run 'make manifests'"; exit 1; }
	@hack/check-manifests.sh

.PHONY: control-plane-up
control-plane-up: ## Start a local kube-apiserver, etcd, controller-manager, scheduler and kwok.
	hack/control-plane.sh up

.PHONY: control-plane-down
control-plane-down: ## Stop the local control plane.
	hack/control-plane.sh down

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
