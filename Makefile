# lwspp — the everyday commands. Each one installs what it needs first.
#
#   make run            build (release) and start lwspp-server (PORT, TLS_PORT from the env)
#   make test           dev build (ASan+UBSan) + all tests, then TSan build + 'threads' tests
#   make bench          release build, then bench/run.sh (BENCH=echo, http, tls, ws, http-client or h2: one part)
#   make fuzz           libFuzzer build, each target for FUZZ_SECONDS (default 60)
#   make soak           release server under mixed traffic for SOAK_SECONDS (default 1800; not in CI)
#   make format         clang-format the sources in place
#   make format-check   fail if clang-format would change anything
#   make clean          remove build/

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

CTEST_JOBS ?= 2
FUZZ_SECONDS ?= 60
export FUZZ_SECONDS

.PHONY: build run test test-dev test-tsan bench fuzz soak format format-check clean

build:
	bash scripts/install-deps build
	cmake --preset dev
	cmake --build --preset dev

run:
	bash scripts/install-deps build
	[ -f build/release/build.ninja ] || cmake --preset release
	cmake --build --preset release --target lwspp-server
	# From build/: the demo's self-signed certificate is made there on first run.
	cd build && exec ./release/lwspp-server

test:
	$(MAKE) --no-print-directory test-dev
	$(MAKE) --no-print-directory test-tsan

# The two halves of 'make test'.
test-dev:
	bash scripts/install-deps test
	cmake --preset dev
	cmake --build --preset dev
	ctest --preset dev -j$(CTEST_JOBS)

test-tsan:
	bash scripts/install-deps test
	cmake --preset tsan
	cmake --build --preset tsan
	ctest --preset tsan -j$(CTEST_JOBS)

bench:
	bash scripts/install-deps bench
	[ -f build/release/build.ninja ] || cmake --preset release
	cmake --build --preset release
	if [ -f bench/run.sh ]; then bash bench/run.sh; else echo "bench/run.sh does not exist yet"; fi

soak:
	bash scripts/install-deps test
	[ -f build/release/build.ninja ] || cmake --preset release
	cmake --build --preset release --target lwspp-server
	bash scripts/soak

fuzz:
	bash scripts/install-deps build
	cmake --preset fuzz
	cmake --build --preset fuzz
	bash scripts/run-fuzzers

format:
	bash scripts/install-deps format
	bash scripts/format

format-check:
	bash scripts/install-deps format
	bash scripts/format --check

clean:
	rm -rf build
