#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the libFuzzer targets of tests/fuzz/ (clang, -fsanitize=fuzzer,address,undefined) in
# build/fuzz and runs each in turn, starting from its seed corpus tests/fuzz/corpus/TARGET.
# Inputs found on the way go to build/fuzz/corpus/TARGET (reused by the next run), a crashing
# input to build/fuzz/artifacts/. Any crash, leak or sanitizer report fails the run.
# Usage: scripts/fuzz.sh [SECONDS|--runs N] [TARGET...]
#   SECONDS   time per target (default 300)
#   --runs N  N executions per target instead (scripts/test.sh uses --runs 20000)
#   TARGET    policy inventory gres_tres submission (default: all)
# Ends with one line per target: executions, time, corpus size, and ok or FAILED.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
all_targets=(policy inventory gres_tres submission)

limit=(-max_total_time=300)
if [ $# -gt 0 ]; then
  case $1 in
    --runs) [[ ${2:-} =~ ^[0-9]+$ ]] || { echo "fuzz: --runs needs a number of executions" >&2; exit 2; }
            limit=(-runs="$2"); shift 2 ;;
    [0-9]*) [[ $1 =~ ^[0-9]+$ ]] || { echo "fuzz: '$1' is not a number of seconds" >&2; exit 2; }
            limit=(-max_total_time="$1"); shift ;;
  esac
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [ -f "tests/fuzz/$t.cpp" ] || { echo "fuzz: no target '$t'; the targets are: ${all_targets[*]}" >&2; exit 2; }
done

cxx=${CXX_FUZZ:-clang++}
command -v "$cxx" >/dev/null || { echo "fuzz: $cxx not found: run scripts/install-deps.sh (clang, libclang-rt-14-dev)" >&2; exit 1; }

out=$top/build/fuzz
mkdir -p "$out/obj" "$out/artifacts"
version=$(sed -n 's/^AC_INIT(\[taskgov\], \[\([^]]*\)\].*/\1/p' configure.ac)
# The engine gets coverage instrumentation only; the fuzzer's main() is linked into each target.
common=(-std=c++17 -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all -Wall -Wextra
        "-DPACKAGE_VERSION=\"$version\"" -Isrc -Itests/fuzz
        $(pkg-config --cflags jansson fmt spdlog))
libs=($(pkg-config --libs jansson fmt spdlog) -lpthread)

# The engine's sources as Makefile.am lists them, so that a new file is fuzzed without edits here.
engine_sources=$(sed -n '/^ENGINE_SOURCES = /,/^$/p' Makefile.am | grep -o 'src/[a-z_/]*\.cpp')
newest_header=$(ls -t src/*/*.h tests/fuzz/*.h | head -n 1)
objs=()
for src in $engine_sources; do
  obj=$out/obj/$(basename "$src" .cpp).o
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
    echo "  CXX(fuzz) $src"
    "$cxx" "${common[@]}" -fsanitize=fuzzer-no-link,address,undefined -c -o "$obj" "$src"
  fi
  objs+=("$obj")
done

failed=0
summary=()
for t in "${targets[@]}"; do
  bin=$out/$t
  if [ ! -x "$bin" ] || [ "tests/fuzz/$t.cpp" -nt "$bin" ] || [ "$newest_header" -nt "$bin" ] ||
     [ -n "$(find "${objs[@]}" -newer "$bin" -print -quit)" ]; then
    echo "  CXXLD(fuzz) $bin"
    "$cxx" "${common[@]}" -fsanitize=fuzzer,address,undefined -o "$bin" "tests/fuzz/$t.cpp" "${objs[@]}" "${libs[@]}"
  fi
  mkdir -p "$out/corpus/$t"
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  log=$out/$t.log
  echo "== $t (${limit[*]}; log in ${log#"$top"/})"
  t0=$SECONDS
  rc=0
  # A smaller quarantine than ASan's 256 MB: with it the runs slowed fivefold as RSS grew.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=64 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" "${limit[@]}" "${dict[@]}" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$t-" "$out/corpus/$t" "tests/fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  corpus=$(find "$out/corpus/$t" -type f | wc -l)
  if [ $rc = 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
    result=ok
  else
    result="FAILED (exit $rc)"
    failed=$((failed + 1))
    grep -E 'ERROR:|runtime error:|SUMMARY:|^artifact_prefix|Test unit written' "$log" | head -n 10 | sed 's/^/    /'
  fi
  summary+=("$(printf '%-11s %9s executions in %4d s, corpus %5d inputs: %s' "$t" "${runs:-0}" $((SECONDS - t0)) "$corpus" "$result")")
done
printf '%s\n' "${summary[@]}"
[ $failed = 0 ]
