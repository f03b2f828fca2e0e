#!/usr/bin/env bash
# Builds the libFuzzer targets in a clang tree (ASan + UBSan + libFuzzer
# coverage; configured once, incremental afterwards) and runs each one for
# SECONDS, starting from the committed seeds. Fails on the first crash, leak,
# timeout or broken invariant, and says which input and target.
#
# Usage: tests/fuzz/run-fuzz.sh BUILD_DIR SECONDS [TARGET...]
#   TARGET: parse_response decode_recherche normalise config_load http_request (default: all)
# New corpus entries go to BUILD_DIR/corpus/<target>/ (never into the checkout);
# crash inputs to BUILD_DIR/artifacts/.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?usage: run-fuzz.sh BUILD_DIR SECONDS [TARGET...]}
secs=${2:?usage: run-fuzz.sh BUILD_DIR SECONDS [TARGET...]}
shift 2
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(parse_response decode_recherche normalise config_load http_request)

cxx=$(command -v clang++ || command -v clang++-14 || true)
cc=$(command -v clang || command -v clang-14 || true)
if [[ -z $cxx || -z $cc ]]; then echo "run-fuzz: clang is not installed (scripts/install-deps)" >&2; exit 1; fi

flags="-fsanitize=address,undefined,fuzzer-no-link -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [[ ! -f $dir/build.ninja ]]; then
  echo "run-fuzz: configuring the clang tree $dir"
  cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DINSGATE_FUZZ=ON >"$dir.configure.log" 2>&1 || { cat "$dir.configure.log" >&2; exit 1; }
fi
cmake --build "$dir" -j2 $(printf -- '--target fuzz_%s ' "${targets[@]}")

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p "$dir/artifacts"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$dir/corpus/$t"
  echo "==> fuzz_$t for ${secs}s"
  if ! "$dir/bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" \
      "$dir/corpus/$t" "$src/tests/fuzz/corpus/$t" >"$dir/fuzz_$t.log" 2>&1; then
    tail -n 60 "$dir/fuzz_$t.log" >&2
    echo "run-fuzz: fuzz_$t FAILED; input(s):" >&2
    ls -1 "$dir/artifacts/$t-"* >&2 2>/dev/null || true
    failed+=("$t")
  else
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$dir/fuzz_$t.log" | tail -n 2 || true
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run-fuzz: crashes in: ${failed[*]} (copy each input to tests/fuzz/regressions/<target>/)" >&2
  exit 1
fi
echo "run-fuzz: ${#targets[@]} targets, ${secs}s each, no crash"
