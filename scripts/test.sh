#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# THE test command (run as root): installs dependencies, builds, runs the unit tests (plain and
# under ASan+UBSan), a short fuzzing pass (scripts/fuzz.sh --runs 20000), renders the man
# pages, checks the plugins' symbols, runs every tests/integration/NN_*.sh against the local
# cluster (the host's Slurm, 22.05), then the governance scenarios against Slurm 24.11 (Debian
# 13): its root (scripts/slurm-root.sh) and build (scripts/build.sh --slurm 24.11) are prepared
# at low priority beside the host's steps, then its plugins' symbols are checked and the
# scenarios in `governance` below run on its cluster. Ends with one line
# "N passed, N failed[, N skipped]".
# Each unit test program, the fuzzing pass, the man pages together, each symbol check and each
# integration file (per release) count as one test.
# Logs: build/test-logs/ (one per step and per integration test; 24.11's in slurm-24.11/).
#
# Usage: scripts/test.sh [--host-only | --slurm 24.11 [NN...] | --sanitize-plugins]
#   --host-only    the host's release only (no 24.11 root, build or scenarios)
#   --slurm 24.11  every integration scenario (or those whose names start with NN...) against
#                  Slurm 24.11 alone, after its root, build and symbol check; the unit tests,
#                  fuzzing and man pages (no Slurm header in them) are the default run's.
#                  Logs: build/test-logs-24.11/.
#   --slurm 26.05 NN...  only the named scenarios, against Slurm 26.05's stock cluster: taskgov
#                  cannot be built for it here, so no build or symbol check; 01-03, 06 and 14
#                  (stock behaviour) need no plugin, the others skip.
#   --sanitize-plugins  instead (host's release), builds the plugins with ASan+UBSan
#                  (scripts/build.sh --sanitize) and runs every integration test, the soak's
#                  short version included, against a slurmctld that loads them (scripts/cluster.sh
#                  start --sanitize); every sanitizer report counts as a failure. About as long as
#                  the integration tests (RELIABILITY.md).
set -uo pipefail

sanitize_plugins=0
host_only=0
release=
# The scenarios the default run also plays on 24.11: submit rules, quota, borrow and reclaim,
# in-team priority, fair share (at admission and by swap), reload, shadow mode, preemption
# blocked by a limit, pinned teams; and the plugins loading.
governance=(04 07 08 09 10 11 12 13 30 31 33 37)
while [ $# -gt 0 ]; do
  case $1 in
    --sanitize-plugins) sanitize_plugins=1; host_only=1; shift ;;
    --host-only) host_only=1; shift ;;
    --slurm) release=${2:-}; shift 2 || true ;;
    -*) echo "usage: $0 [--host-only | --slurm 24.11 [NN...] | --sanitize-plugins]" >&2; exit 2 ;;
    *) break ;;
  esac
done

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1
case $release in ''|host|22.05) release= ;; 24.11|26.05) ;; *) echo "test: --slurm '$release': supported are 22.05, 24.11 and 26.05" >&2; exit 2 ;; esac
no_build=
if [ -n "$release" ] && ! no_build=$(scripts/slurm-root.sh "$release" buildable 2>&1) && [ $# = 0 ]; then
  echo "test: $no_build. Scenarios that need no plugin run on its stock cluster when named: scripts/test.sh --slurm $release 01 02 03 06 14" >&2
  exit 3
fi
only=("$@")
logs=$top/build/test-logs${release:+-$release}
passed=0 failed=0 skipped=0

[ "$(id -u)" -eq 0 ] || { echo "test: run as root (the local cluster needs it)" >&2; exit 1; }
rm -rf "$logs"
mkdir -p "$logs"

# shellcheck source=scripts/clock.sh
. "$top/scripts/clock.sh"

# step NAME COMMAND...: run COMMAND with its output in build/test-logs/NAME.log; prints one line.
step() {
  local name=$1 t0 rc
  shift
  t0=$(now)
  "$@" >"$logs/$name.log" 2>&1 </dev/null
  rc=$?
  if [ $rc = 0 ]; then
    printf '  %-28s ok (%ss)\n' "$name" "$(elapsed "$t0" 1)"
  else
    printf '  %-28s FAILED, exit %d (%ss); last lines of %s:\n' "$name" "$rc" "$(elapsed "$t0" 1)" "${logs#"$top"/}/$name.log"
    tail -n 25 "$logs/$name.log" | sed 's/^/      /'
  fi
  return $rc
}

# tally RESULT NAME: count one test result (PASS/XFAIL, FAIL/XPASS/ERROR, SKIP).
tally() {
  case $1 in
    PASS|XFAIL) passed=$((passed + 1)) ;;
    SKIP) skipped=$((skipped + 1)); printf '  %-28s skipped\n' "$2" ;;
    *) failed=$((failed + 1)); printf '  %-28s %s\n' "$2" "$1" ;;
  esac
}

summary() {
  local line="$passed passed, $failed failed"
  [ $skipped = 0 ] || line+=", $skipped skipped"
  echo "$line"
  [ $failed = 0 ]
  exit
}

# stop_cluster [RELEASE]: stop the cluster of RELEASE (default: the run's).
stop_cluster() {
  local rel=${1:-$release}
  scripts/cluster.sh ${rel:+--slurm "$rel"} stop >>"$logs/cluster-stop.log" 2>&1 ||
    echo "  cluster stop failed: see ${logs#"$top"/}/cluster-stop.log"
}
trap 'echo "test: interrupted"; [ -z "$prepare_pid" ] || kill "$prepare_pid" 2>/dev/null
      stop_cluster; [ -z "$other" ] || stop_cluster "$other"; summary' INT TERM
other= prepare_pid=

# symbols RELEASE PLUGIN...: the plugins' symbols against RELEASE's slurmctld (empty: the host's).
symbols() {
  local rel=$1 name=check-plugin-symbols${1:+-$1}
  shift
  if [ -n "$rel" ]; then
    step "$name" scripts/inroot.sh "$(scripts/slurm-root.sh "$rel" path)" scripts/check-plugin-symbols.sh "$@"
  else
    step "$name" scripts/check-plugin-symbols.sh "$@"
  fi
  if [ $? = 0 ]; then tally PASS symbols; else tally FAIL "plugin symbol check${rel:+ (Slurm $rel)}"; fi
}

# Sanitizer reports of the plugins inside slurmctld (scripts/cluster.sh start --sanitize writes
# them to <cluster>/log/asan.<pid> and ubsan.<pid>), kept after each test: a test may wipe the
# cluster folder.
sanitizer_logs=$logs/sanitizer
keep_sanitizer_reports() {
  mkdir -p "$sanitizer_logs"
  cp "$ctld_log_dir"/asan.* "$ctld_log_dir"/ubsan.* "$sanitizer_logs"/ 2>/dev/null || true
}
sanitizer_reports() {
  cat "$sanitizer_logs"/* 2>/dev/null | grep -cE '^==[0-9]+==ERROR: |Sanitizer: CHECK failed|runtime error: '
}

# integration LOGDIR NN...: every tests/integration/NN_*.sh whose name starts with one of NN
# (all when none) against the cluster of $TASKGOV_SLURM (the host's when unset).
integration() {
  local dir=$1 t name pick n mark t0 rc result ctld_log
  shift
  mkdir -p "$dir"
  ctld_log_dir=$(eval "$(scripts/cluster.sh env)"; echo "$TASKGOV_CLUSTER_DIR/log")
  ctld_log=$ctld_log_dir/slurmctld.log
  [ $sanitize_plugins = 0 ] || rm -f "$ctld_log_dir"/asan.* "$ctld_log_dir"/ubsan.*
  for t in tests/integration/[0-9]*.sh; do
    name=$(basename "$t" .sh)
    if [ $# -gt 0 ]; then
      pick=0
      for n in "$@"; do [[ $name == "$n"* ]] && pick=1; done
      [ $pick = 1 ] || continue
    fi
    mark=$(wc -l 2>/dev/null <"$ctld_log" || echo 0)
    t0=$(now)
    timeout 600 bash "$t" >"$dir/$name.log" 2>&1 </dev/null
    rc=$?
    case $rc in
      0) result=PASS ;;
      77) result=SKIP ;;
      124) result="FAIL (timed out after 600 s)" ;;
      *) result=FAIL ;;
    esac
    if [ $sanitize_plugins = 1 ]; then
      before=$(sanitizer_reports)
      keep_sanitizer_reports
      if [ "$(sanitizer_reports)" != "$before" ]; then result="FAIL (sanitizer reports)"; fi
    fi
    printf '  %-28s %s (%ss)\n' "$name" "${result%% *}" "$(elapsed "$t0" 1)"
    sed -n 's/^\[[0-9:]*\] time: /      /p; s/^SKIP: /      skipped: /p' "$dir/$name.log"
    case $result in
      PASS) passed=$((passed + 1)) ;;
      SKIP) skipped=$((skipped + 1)) ;;
      *)
        failed=$((failed + 1))
        echo "      --- last lines of ${dir#"$top"/}/$name.log"
        tail -n 30 "$dir/$name.log" | sed 's/^/      /'
        # The log restarts when a test resets the cluster.
        [ "$(wc -l 2>/dev/null <"$ctld_log" || echo 0)" -ge "$mark" ] || mark=0
        echo "      --- slurmctld.log (errors and taskgov lines during the test)"
        tail -n +"$((mark + 1))" "$ctld_log" 2>/dev/null | grep -Ei 'error|fatal|taskgov' |
          grep -v 'pmix' | tail -n 20 | sed 's/^/      /'
        ;;
    esac
  done
}

# Another release's root and build, prepared beside the host's steps at the lowest CPU priority
# (the root is mostly download and unpacking, the build mostly waits for the host's): its result
# is printed and counted when the host's integration tests are over.
prepare_in_background() {
  local rel=$1
  (
    t0=$(now)
    nice -n 19 scripts/slurm-root.sh "$rel" >"$logs/slurm-$rel-root.log" 2>&1
    rc=$?
    echo "$rc $(elapsed "$t0" 1)" >"$logs/.slurm-$rel-root.rc"
    [ $rc = 0 ] || exit
    t0=$(now)
    nice -n 19 scripts/build.sh --slurm "$rel" >"$logs/build-$rel.log" 2>&1
    echo "$? $(elapsed "$t0" 1)" >"$logs/.build-$rel.rc"
  ) </dev/null &
  prepare_pid=$!
}

# prepared NAME: the line and count of a step prepare_in_background ran; fails when it failed.
prepared() {
  local rc=1 secs=?
  [ -f "$logs/.$1.rc" ] && read -r rc secs <"$logs/.$1.rc"
  if [ "$rc" = 0 ]; then
    printf '  %-28s ok (%ss, in the background)\n' "$1" "$secs"
    return 0
  fi
  printf '  %-28s FAILED, exit %s (%ss); last lines of %s:\n' "$1" "$rc" "$secs" "${logs#"$top"/}/$1.log"
  tail -n 25 "$logs/$1.log" 2>/dev/null | sed 's/^/      /'
  tally FAIL "$1"
  return 1
}

echo "== setup"
if ! step install-deps scripts/install-deps.sh; then failed=$((failed + 1)); summary; fi

if [ -n "$release" ]; then
  export TASKGOV_SLURM=$release                   # cluster.sh and the integration tests follow it
  if ! step "slurm-$release-root" scripts/slurm-root.sh "$release"; then failed=$((failed + 1)); summary; fi
  built=0
  if [ -z "$no_build" ]; then
    step build scripts/build.sh --slurm "$release"
    built=$?
    [ $built = 0 ] || failed=$((failed + 1))
    echo "== plugin symbols (Slurm $release)"
    symbols "$release" build/slurm-$release/plugin/.libs/{job_submit,priority,preempt}_taskgov.so
  else
    echo "  no build, no symbol check: $no_build"
  fi
  echo "== integration tests, Slurm $release (logs in ${logs#"$top"/}/)"
  integration "$logs" "${only[@]}"
  echo "== stopping the cluster"
  stop_cluster
  [ $built = 0 ] || echo "  (the build failed: see ${logs#"$top"/}/build.log)"
  summary
fi

if [ $host_only = 0 ]; then
  other=24.11
  prepare_in_background "$other"
fi

if [ $sanitize_plugins = 1 ]; then step build scripts/build.sh --sanitize
else step build scripts/build.sh; fi
built=$?
[ $built = 0 ] || failed=$((failed + 1))

if [ $sanitize_plugins = 0 ]; then
  echo "== unit tests"
  rm -f tests/unit/*/*.trs
  step make-check make -j2 check
  rc=$?
  n=0
  for trs in tests/unit/*/*.trs; do
    [ -f "$trs" ] || continue
    n=$((n + 1))
    tally "$(sed -n 's/^:test-result: //p' "$trs" | head -n1)" "unit: $(basename "$trs" .trs)"
  done
  if [ $rc != 0 ] && [ $n = 0 ]; then tally FAIL "make check (no test ran)"; fi
  [ $n = 0 ] || echo "  $n unit test programs"

  step make-check-sanitized make check-sanitized
  rc=$?
  n=0
  while read -r result prog _; do
    n=$((n + 1))
    tally "${result%:}" "asan: $(basename "$prog")"
  done < <(grep -E '^(PASS|FAIL): ' "$logs/make-check-sanitized.log")
  if [ $rc != 0 ] && ! grep -q '^FAIL: ' "$logs/make-check-sanitized.log"; then tally FAIL "make check-sanitized"; fi
  [ $n = 0 ] || echo "  $n unit test programs under ASan+UBSan"

  echo "== fuzzing (scripts/fuzz.sh; logs in build/fuzz/)"
  # Every target from its seed corpus and what earlier runs found; a crash, leak or sanitizer
  # report fails it. The campaign's figures are in RELIABILITY.md.
  if step fuzz scripts/fuzz.sh --runs 20000; then tally PASS fuzz
  else tally FAIL fuzz; fi
  sed -n 's/^\([a-z_]* .* executions in .*\)$/      \1/p' "$logs/fuzz.log"

  echo "== docs"
  # Every page through man -l at 80 columns: no groff warning, a NAME section, no overlong line.
  if step man-pages tests/man/render.sh; then tally PASS "man pages"
  else tally FAIL "man pages"; fi

  echo "== plugin symbols"
  symbols "" plugin/.libs/{job_submit,priority,preempt}_taskgov.so
fi

if [ $sanitize_plugins = 1 ]; then
  export TASKGOV_SANITIZE=1
  echo "== integration tests against the plugins built with ASan+UBSan (reports in ${sanitizer_logs#"$top"/}/)"
else
  echo "== integration tests (logs in ${logs#"$top"/}/)"
fi
integration "$logs" "${only[@]}"

echo "== stopping the cluster"
stop_cluster
if [ $sanitize_plugins = 1 ]; then
  keep_sanitizer_reports
  echo "  sanitizer reports: $(sanitizer_reports) (in ${sanitizer_logs#"$top"/}/)"
fi
[ $built = 0 ] || echo "  (the build failed: see ${logs#"$top"/}/build.log)"

if [ -n "$other" ]; then
  echo "== Slurm $other: governance scenarios (logs in ${logs#"$top"/}/slurm-$other/)"
  wait "$prepare_pid"
  if prepared "slurm-$other-root" && prepared "build-$other"; then
    symbols "$other" build/slurm-$other/plugin/.libs/{job_submit,priority,preempt}_taskgov.so
    TASKGOV_SLURM=$other integration "$logs/slurm-$other" "${governance[@]}"
    stop_cluster "$other"
  fi
fi
summary
