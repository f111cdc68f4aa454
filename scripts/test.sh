#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# THE test command (run as root): installs dependencies, builds, runs the unit tests (plain and
# under ASan+UBSan), a short fuzzing pass (scripts/fuzz.sh --runs 20000), renders the man
# pages, checks the plugins' symbols, runs every tests/integration/NN_*.sh against the local
# cluster, stops the cluster, and ends with one line "N passed, N failed[, N skipped]".
# Each unit test program, the fuzzing pass, the man pages together, and each integration file
# count as one test.
# Logs: build/test-logs/ (one per step and per integration test).
#
# Usage: scripts/test.sh [--slurm 24.11 [NN...]]
#   --slurm 24.11  the same against Slurm 24.11 (Debian 13) instead of the host's 22.05: makes the
#                  release's root (scripts/slurm-root.sh), builds there (scripts/build.sh --slurm),
#                  checks the plugins' symbols against its slurmctld and runs the integration
#                  scenarios on its cluster (scripts/cluster.sh --slurm); the unit tests, fuzzing
#                  and man pages (no Slurm header in them) are the default run's. NN...: only the
#                  integration tests whose names start with these numbers.
#                  Logs: build/test-logs-24.11/.
# scripts/test.sh --sanitize-plugins: instead (host's release), builds the plugins with ASan+UBSan
# (scripts/build.sh --sanitize) and runs every integration test, the soak's short version
# included, against a slurmctld that loads them (scripts/cluster.sh start --sanitize); every
# sanitizer report counts as a failure. About as long as the integration tests (RELIABILITY.md).
set -uo pipefail

sanitize_plugins=0
release=
while [ $# -gt 0 ]; do
  case $1 in
    --sanitize-plugins) sanitize_plugins=1; shift ;;
    --slurm) release=${2:-}; shift 2 || true ;;
    -*) echo "usage: $0 [--sanitize-plugins] [--slurm 24.11 [NN...]]" >&2; exit 2 ;;
    *) break ;;
  esac
done

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1
case $release in ''|host|22.05) release= ;; 24.11) ;; *) echo "test: --slurm '$release': supported are 22.05 and 24.11" >&2; exit 2 ;; esac
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

stop_cluster() { scripts/cluster.sh ${release:+--slurm "$release"} stop >>"$logs/cluster-stop.log" 2>&1 || echo "  cluster stop failed: see ${logs#"$top"/}/cluster-stop.log"; }
trap 'echo "test: interrupted"; stop_cluster; summary' INT TERM

echo "== setup"
if ! step install-deps scripts/install-deps.sh; then failed=$((failed + 1)); summary; fi
if [ -n "$release" ]; then
  export TASKGOV_SLURM=$release                   # cluster.sh and the integration tests follow it
  if ! step "slurm-$release-root" scripts/slurm-root.sh "$release"; then failed=$((failed + 1)); summary; fi
  step build scripts/build.sh --slurm "$release"
  built=$?
  [ $built = 0 ] || failed=$((failed + 1))
  root=$(scripts/slurm-root.sh "$release" path)
  echo "== plugin symbols (Slurm $release)"
  plugins=(build/slurm-$release/plugin/.libs/{job_submit,priority,preempt}_taskgov.so)
  if step check-plugin-symbols scripts/inroot.sh "$root" scripts/check-plugin-symbols.sh "${plugins[@]}"; then
    tally PASS symbols
  else tally FAIL "plugin symbol check"; fi
else
if [ $sanitize_plugins = 1 ]; then step build scripts/build.sh --sanitize
else step build scripts/build.sh; fi
built=$?
[ $built = 0 ] || failed=$((failed + 1))

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
ctld_log_dir=$(eval "$(scripts/cluster.sh env)"; echo "$TASKGOV_CLUSTER_DIR/log")

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
plugins=(plugin/.libs/job_submit_taskgov.so plugin/.libs/priority_taskgov.so plugin/.libs/preempt_taskgov.so)
if step check-plugin-symbols scripts/check-plugin-symbols.sh "${plugins[@]}"; then tally PASS symbols
else tally FAIL "plugin symbol check"; fi
fi

fi   # not --sanitize-plugins

if [ $sanitize_plugins = 1 ]; then
  export TASKGOV_SANITIZE=1
  rm -f "$ctld_log_dir"/asan.* "$ctld_log_dir"/ubsan.*
  echo "== integration tests against the plugins built with ASan+UBSan (reports in ${sanitizer_logs#"$top"/}/)"
else
  echo "== integration tests (logs in ${logs#"$top"/}/)"
fi
ctld_log=$(eval "$(scripts/cluster.sh env)"; echo "$TASKGOV_CLUSTER_DIR/log/slurmctld.log")
for t in tests/integration/[0-9]*.sh; do
  name=$(basename "$t" .sh)
  if [ ${#only[@]} -gt 0 ]; then
    pick=0
    for n in "${only[@]}"; do [[ $name == "$n"* ]] && pick=1; done
    [ $pick = 1 ] || continue
  fi
  mark=$(wc -l 2>/dev/null <"$ctld_log" || echo 0)
  t0=$(now)
  timeout 600 bash "$t" >"$logs/$name.log" 2>&1 </dev/null
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
  sed -n 's/^\[[0-9:]*\] time: /      /p; s/^SKIP: /      skipped: /p' "$logs/$name.log"
  case $result in
    PASS) passed=$((passed + 1)) ;;
    SKIP) skipped=$((skipped + 1)) ;;
    *)
      failed=$((failed + 1))
      echo "      --- last lines of ${logs#"$top"/}/$name.log"
      tail -n 30 "$logs/$name.log" | sed 's/^/      /'
      # The log restarts when a test resets the cluster.
      [ "$(wc -l 2>/dev/null <"$ctld_log" || echo 0)" -ge "$mark" ] || mark=0
      echo "      --- slurmctld.log (errors and taskgov lines during the test)"
      tail -n +"$((mark + 1))" "$ctld_log" 2>/dev/null | grep -Ei 'error|fatal|taskgov' |
        grep -v 'pmix' | tail -n 20 | sed 's/^/      /'
      ;;
  esac
done

echo "== stopping the cluster"
stop_cluster
if [ $sanitize_plugins = 1 ]; then
  keep_sanitizer_reports
  echo "  sanitizer reports: $(sanitizer_reports) (in ${sanitizer_logs#"$top"/}/)"
fi
[ $built = 0 ] || echo "  (the build failed: see ${logs#"$top"/}/build.log)"
summary
