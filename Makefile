# winkhook — see README.md. Quick start on Debian 12 (root or sudo): `make run`, `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

RUN_DIR      ?= $(CURDIR)/.run
PORT         ?= 8080
WORKERS      ?= 4
SWIFT        ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
DEB_PACKAGES := libfcgi-dev libpq-dev libcurl4-openssl-dev postgresql-15 postgresql-client-15 nginx-light pkg-config ca-certificates python3-cryptography
# Only `make test` needs these (the fault tests run a PgBouncer of their own; the report is rendered in
# headless Chromium; deploy/apache is tried in a real Apache with mod_fcgid, deploy/systemd with
# systemd-analyze and systemd-socket-activate, nginx.conf.example over TLS with curl and openssl's certificate,
# the .deb with lintian and installed into a fresh root made by mmdebstrap, /metrics scraped by Prometheus,
# two web hosts in network namespaces loaded with wrk).
TEST_DEB_PACKAGES := pgbouncer chromium apache2-bin libapache2-mod-fcgid systemd curl openssl lintian mmdebstrap prometheus wrk iproute2

.PHONY: help deps build release deb run test lint format bench bench-check bench-check-all fuzz clean

help:
	@echo "make run          build, start a private PostgreSQL + nginx on 127.0.0.1:$(PORT), send samples, serve until Ctrl-C"
	@echo "make test         start private PostgreSQL clusters, PgBouncer and nginx, run every test (swift test), stop them"
	@echo "make build        release build: .build-static/release/winkhook (Swift runtime, libfcgi, libpq and OpenSSL linked in)"
	@echo "make release      the same, then checks it needs nothing but libc, libm and libgcc_s (ldd)"
	@echo "make deb          .build-deb/winkhook_VERSION_ARCH.deb (binary, man page, completions, config, systemd units)"
	@echo "make lint         swift format lint"
	@echo "make fuzz         libFuzzer over parsers, verifiers and the pipeline (FUZZ_SECONDS=60)"
	@echo "make bench        ../shared/bench/run with c-floor, php, python and this project"
	@echo "make bench-check-all  the harness's probes against every verification scheme"
	@echo "make clean        remove .run/ and the .build folders"

deps:
	@scripts/install-deps $(DEB_PACKAGES)

build: deps
	@SWIFT="$(SWIFT)" scripts/build-release

release: build
	@scripts/check-release .build-static/release/winkhook

deb: deps
	@SWIFT="$(SWIFT)" scripts/build-deb

run: build
	@RUN_DIR="$(RUN_DIR)/demo" PORT="$(PORT)" WORKERS="$(WORKERS)" scripts/demo

test: deps
	@scripts/install-deps $(TEST_DEB_PACKAGES)
	@RUN_DIR="$(RUN_DIR)/test" SWIFT="$(SWIFT)" scripts/test

FUZZ_SECONDS ?= 60

fuzz: deps
	@SWIFT="$(SWIFT)" scripts/fuzz $(FUZZ_SECONDS)

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

BENCH_SCHEMES := standard-webhooks token-query token-path basic github stripe hmac-hex hmac-ts

bench-check: build
	../shared/bench/run setup
	../shared/bench/run check project --project .

bench-check-all: build
	../shared/bench/run setup
	@set -e; for scheme in $(BENCH_SCHEMES); do \
	  echo "== $$scheme"; ../shared/bench/run check project --project . --verify $$scheme; done

bench: build
	../shared/bench/run setup
	../shared/bench/run --peers c-floor,php,python,project --project .

clean:
	-scripts/postgres stop "$(RUN_DIR)/demo/pg"; scripts/postgres stop "$(RUN_DIR)/test/pg"
	rm -rf "$(RUN_DIR)" .build .build-fuzz .build-static .build-deb .build-tools
