# insgate — thin entry points over scripts/ and the CMake presets.
#   make demo   install the Debian packages, build, run the main job end to end
#   make test   install the Debian packages, build, run the whole test suite
.PHONY: deps configure build build-demo demo test test-asan test-tsan clean bench fuzz

deps:
	./scripts/install-deps

configure: deps
	cmake --preset default

build: configure
	cmake --build --preset default

# The demo builds only what it runs (daemon, client, INSi simulator); the
# tests and fuzzers are built by `make test`.
build-demo: configure
	cmake --build --preset default --target insgated insgatectl insi-sim

demo: build-demo
	./scripts/demo

test: build
	ctest --preset default

# The whole suite under AddressSanitizer+UBSan, and under ThreadSanitizer
# (separate build trees build-asan/ and build-tsan/; each builds everything).
test-asan: deps
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

test-tsan: deps
	cmake --preset tsan
	cmake --build --preset tsan
	ctest --preset tsan

clean:
	rm -rf build build-asan build-tsan

# Benchmarks (tests/bench, issue 7): own RelWithDebInfo tree $(BENCH_DIR);
# prints a Markdown report, writes
# $(BENCH_DIR)/bench-results.json and $(BENCH_DIR)/bench-report.md.
BENCH_DIR ?= build-bench
bench: deps
	cmake -S . -B $(BENCH_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BENCH_DIR) -j2 --target bench_micro bench_load bench_ceiling_server insgated insi-sim
	$(BENCH_DIR)/bin/bench_micro --benchmark_min_time=0.2 --benchmark_out=$(BENCH_DIR)/micro.json --benchmark_out_format=json
	$(BENCH_DIR)/bin/bench_load --micro-json $(BENCH_DIR)/micro.json --json $(BENCH_DIR)/bench-results.json --markdown $(BENCH_DIR)/bench-report.md

# libFuzzer targets (tests/fuzz): clang tree $(FUZZ_DIR), each target for
# FUZZ_SECONDS (make fuzz FUZZ_SECONDS=3600 FUZZ_TARGETS="parse_response").
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	tests/fuzz/run-fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)
