# streamforge: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help setup setup-test build dist pack test lint fmt demo kafka-up kafka-down registry-up registry-down jaeger-up jaeger-down jaeger-build-early bench bench-check docker-build clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## install what building and the demo need: Debian packages and npm dependencies (only what is missing)
	@scripts/setup.sh

setup-test: ## also install what only the tests use (kcat, buildah, stress-ng, prometheus, chromium, ...)
	@scripts/setup.sh --test

build: setup ## compile TypeScript to dist/
	@npm run --silent build

dist: build ## one executable that needs no Node: dist/streamforge-linux-x64 (+ .sha256)
	@node scripts/build-binary.mjs

pack: build ## the npm package: streamforge-<version>.tgz (what runs, nothing else)
	@npm pack --silent

lint: setup ## ESLint, Prettier and the type check of tests
	@npm run --silent lint && npm run --silent typecheck

fmt: setup ## format the code
	@npm run --silent fmt

test: jaeger-build-early setup-test build lint dist ## the whole suite: unit + integration against a real local broker, Schema Registry and Jaeger
	@node --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js --json --outputFile=test-results.json

demo: build ## end to end: local Kafka up, a dummy, pings answered, a summary, all stopped
	@scripts/demo.sh

kafka-up: ## start the local broker (PLAINTEXT + SASL_SSL/SCRAM), create the default topics, print its environment
	@scripts/kafka-local.sh up

kafka-down: ## stop the local broker
	@scripts/kafka-local.sh down

registry-up: ## start a local Schema Registry (Apicurio, Confluent-compatible API; built once from Maven Central), print its environment
	@scripts/schema-registry-local.sh up

registry-down: ## stop the local Schema Registry
	@scripts/schema-registry-local.sh down

jaeger-up: ## start a local Jaeger (OTLP/HTTP, query API; built once from the Go module proxy), print its environment
	@scripts/jaeger-local.sh up

jaeger-down: ## stop the local Jaeger
	@scripts/jaeger-local.sh down

# Jaeger takes minutes to build the first time: started in the background at once, so that it
# runs beside the npm install and the compile; the tests' set-up waits for it (a lock)
jaeger-build-early:
	@command -v go > /dev/null && (nohup scripts/jaeger-local.sh build > /dev/null 2>&1 &) || true

bench: setup-test dist ## every benchmark beside its yardstick, then PASS or FAIL per target (docs/benchmarks.md)
	@node scripts/bench-all.mjs

bench-check: setup-test dist ## a short run of every benchmark, each ratio against scripts/bench-baselines.json (FAIL 25% below)
	@node scripts/bench-check.mjs

docker-build: ## build the container image with buildah (base from debootstrap + this Node)
	@command -v buildah >/dev/null && command -v debootstrap >/dev/null || { sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; $$sudo apt-get install -y -qq buildah debootstrap >/dev/null; }
	@scripts/container-image.sh build

clean: ## remove build output and the local broker's data (keeps its jars)
	@scripts/kafka-local.sh down || true
	rm -rf dist build coverage test-results.json streamforge-*.tgz .kafka/test .kafka/data .kafka/certs .kafka/*.env .kafka/sasl.password
