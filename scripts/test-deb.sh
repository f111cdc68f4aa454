#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# On demand (not part of scripts/test.sh): tests the Debian package of taskgov for one Slurm release
# the way a site would install it. Builds the package (scripts/build-deb.sh), installs it with apt
# into a fresh root of that release that has only Debian's Slurm, munge and MariaDB (scripts/
# slurm-root.sh RELEASE --runtime: Debian 12 for 22.05, Debian 13 for 24.11; cached under
# build/roots/, and used through a throwaway overlay so that every run starts without taskgov),
# checks what the package put where, then starts the local cluster (scripts/cluster.sh) inside that
# root on the packaged plugins and the packaged example policy, and runs the integration scenarios
# 04 (the three plugins load) and 07 (submit rules: a governed job gets taskgov's stamp).
#
# Usage: scripts/test-deb.sh [--slurm 24.11] [--deb FILE]      (default: 22.05)
#   --deb FILE  test this package of the release (e.g. built before by scripts/build-deb.sh)
#               instead of building one
# Only one local cluster runs at a time: the cluster part holds the lock file TASKGOV_CLUSTER_LOCK
# (default /work/cluster.lock) and stops everything before letting it go. Logs and the cluster
# folder go to build/deb-test-RELEASE/, the timings of each step to build/deb-test-RELEASE.timings.
# The last line is "deb RELEASE: PASS" or "deb RELEASE: FAIL (why)", and the exit status follows it.
set -euo pipefail
shopt -s inherit_errexit

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
# shellcheck source=scripts/clock.sh
. "$top/scripts/clock.sh"

release=22.05
deb=
while [ $# -gt 0 ]; do
  case $1 in
    --slurm) release=${2:-}; shift 2 || shift ;;
    --deb) deb=$(realpath -e "${2:-}") || exit 2; shift 2 ;;
    *) echo "usage: $0 [--slurm 22.05|24.11] [--deb FILE]" >&2; exit 2 ;;
  esac
done
case $release in
  ''|host|22.05) release=22.05 build_args=() ;;
  24.11) build_args=(--slurm 24.11) ;;
  *) echo "usage: $0 [--slurm 22.05|24.11]" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "test-deb: run as root (debootstrap, overlay mounts, the cluster)" >&2; exit 2; }

out=$top/build/deb-test-$release
timings=$out.timings
lock=${TASKGOV_CLUSTER_LOCK:-/work/cluster.lock}
rm -rf "$out"
mkdir -p "$out"

why=
ok() { printf 'test-deb: ok: %s\n' "$*"; }
fail() { printf 'test-deb: FAIL: %s\n' "$*"; why=${why:-$*}; }
check() {                                        # check DESC COMMAND...: ok or fail by its status
  local desc=$1
  shift
  if "$@"; then ok "$desc"; else fail "$desc"; fi
}
timed() {                                        # timed LABEL COMMAND...
  local label=$1 t0 rc=0 secs
  shift
  t0=$(now)
  "$@" || rc=$?
  secs=$(elapsed "$t0")
  printf '%s %s: %s s\n' "$(date -u +%FT%TZ)" "$label" "$secs" >>"$timings"
  printf 'test-deb: %s: %s s\n' "$label" "$secs" >&2
  return $rc
}

t_run=$(now)
tmp=
cluster_started=0
finish() {
  local rc=$?
  set +e
  if [ $cluster_started = 1 ]; then "$top/scripts/cluster.sh" stop 9>&- >>"$out/cluster.log" 2>&1; fi
  if [ -n "$tmp" ]; then
    if ! mountpoint -q "$tmp/merged" || umount "$tmp/merged"; then rm -rf "$tmp"
    else fail "the overlay $tmp/merged is still mounted (a process left in the root?)"; fi
  fi
  [ $rc = 0 ] || [ -n "$why" ] || why="test-deb stopped (exit $rc)"
  printf '%s whole run (%s): %s s\n' "$(date -u +%FT%TZ)" "${why:+FAIL: }${why:-PASS}" "$(elapsed "$t_run")" >>"$timings"
  if [ -z "$why" ]; then echo "deb $release: PASS"; exit 0; fi
  echo "deb $release: FAIL ($why)"
  exit 1
}
trap finish EXIT
trap 'why="interrupted"; exit 1' INT TERM
give_up() { fail "$*"; exit 1; }

# ------------------------------------------------------------------ 1. the package
if [ -z "$deb" ]; then
  deb=$(timed "package build ($release)" "$top/scripts/build-deb.sh" "${build_args[@]}") ||
    give_up "the package does not build (build/deb*/build.log)"
  ok "built $deb"
fi

# ------------------------------------------------------------------ 2. a fresh runtime root
base=$(timed "runtime root ($release)" "$top/scripts/slurm-root.sh" "$release" --runtime ensure) ||
  give_up "no runtime root for $release"
tmp=$(mktemp -d /tmp/taskgov-deb.XXXXXX)
mkdir "$tmp/upper" "$tmp/work" "$tmp/merged"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$tmp/upper,workdir=$tmp/work" "$tmp/merged"
root=$tmp/merged
inroot() { "$top/scripts/inroot.sh" "$root" "$@"; }
# Fresh: Debian's Slurm, no taskgov, nothing that builds it.
# shellcheck disable=SC2016  # dpkg-query's format
for p in taskgov libslurm-dev gcc g++ libfmt-dev; do
  ! inroot dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed' ||
    give_up "the runtime root $base has $p installed: it is not fresh (rm -rf it)"
done
# shellcheck disable=SC2016  # dpkg-query's format
ok "the root ($base, overlay) has slurmctld $(inroot dpkg-query -W -f='${Version}' slurmctld) and no taskgov"

# ------------------------------------------------------------------ 3. apt installs the package
cp "$deb" "$root/tmp/"
timed "apt-get install ./$(basename "$deb")" inroot sh -ec \
  "apt-get update -qq && cd /tmp && apt-get install -y -q ./$(basename "$deb")" >"$out/apt.log" 2>&1 ||
  give_up "apt-get install ./$(basename "$deb") failed: $(grep -E '^E:|Depends:' "$out/apt.log" | head -n 3 | tr '\n' ' ')"
ok "apt-get installed it (pulled in: $(sed -n '/NEW packages/,/^[0-9]/{/^  /p}' "$out/apt.log" | xargs))"

plugindir=$(inroot ldd /usr/sbin/slurmctld | awk '/libslurmfull/ {print $3}')
plugindir=${plugindir%/*}
[ -n "$plugindir" ] || give_up "slurmctld of the root links no libslurmfull: no PluginDir"
for p in job_submit priority preempt; do
  check "${p}_taskgov.so is in PluginDir $plugindir" test -f "$root$plugindir/${p}_taskgov.so"
done
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
tg_version=$(inroot taskgov --version 2>&1) || true
check "taskgov --version runs ($tg_version)" grep -q "$version" <<<"$tg_version"
for m in man1/taskgov.1 man5/taskgov.json.5 man8/taskgov_plugins.8; do
  check "man page $m" test -s "$root/usr/share/man/$m.gz"
done
examples=/usr/share/doc/taskgov/examples
for e in taskgov.json slurm.conf.taskgov.example; do
  check "example $examples/$e" test -s "$root$examples/$e"
done
# Every library of the plugins, the command and libtaskgov resolves in the root.
# shellcheck disable=SC2016  # expanded inside the root
missing=$(inroot sh -c 'for f in "$@" /usr/bin/taskgov /usr/lib/*/libtaskgov.so.*; do
                         ldd "$f" | sed -n "s|^|$f: |; /not found/p"; done' ldd \
          "$plugindir"/{job_submit,priority,preempt}_taskgov.so)
check "ldd finds every library${missing:+: $missing}" test -z "$missing"
# Debian policy 10.2: no RPATH or RUNPATH to the system's own library folders (readelf: the host's).
rpaths=$(for f in "$root$plugindir"/*_taskgov.so "$root"/usr/bin/taskgov "$root"/usr/lib/*/libtaskgov.so.*; do
           readelf -d "$f" | sed -n "s|^.*(R[UN]*PATH).*\[\(.*\)\]|${f#"$root"}: \1|p"; done)
check "no RPATH or RUNPATH${rpaths:+: $rpaths}" test -z "$rpaths"
[ -z "$why" ] || exit 1

# ------------------------------------------------------------------ 4. slurmctld on the package
export TASKGOV_SLURM_ROOT=$root TASKGOV_CLUSTER_DIR=$out/cluster TASKGOV_PLUGIN_DIR=$plugindir
export TASKGOV_POLICY=$root$examples/taskgov.json TASKGOV_PLUGINS=on
unset TASKGOV_SANITIZE TASKGOV_PORT_OFFSET
if [ "$release" = 24.11 ]; then export TASKGOV_SLURM=24.11; else unset TASKGOV_SLURM; fi

# The cluster runs with the lock held (fd 9); the daemons must not inherit it.
exec 9>"$lock"
timed "waiting for the cluster lock" flock 9
cluster_started=1
timed "cluster start" "$top/scripts/cluster.sh" start 9>&- >"$out/cluster.log" 2>&1 ||
  give_up "scripts/cluster.sh start failed: $(grep error "$out/cluster.log" | tail -n 1)"
for t in 04_plugins_loaded 07_submit_rules; do
  timed "integration $t" "$top/tests/integration/$t.sh" 9>&- >"$out/$t.log" 2>&1 ||
    fail "tests/integration/$t.sh: $(grep -m1 '^FAIL' "$out/$t.log" || tail -n 1 "$out/$t.log")"
done

eval "$("$top/scripts/cluster.sh" env)"
ctld_log=$TASKGOV_CLUSTER_DIR/log/slurmctld.log
check "slurmctld.log: the policy loaded from the packaged example" \
  grep -q "priority/taskgov: .*policy $TASKGOV_CLUSTER_DIR/etc/taskgov.json loaded" "$ctld_log"
read -r ctld_pid _ <"$TASKGOV_CLUSTER_DIR/pids/slurmctld.pid"
for p in job_submit priority preempt; do
  check "slurmctld maps the packaged $plugindir/${p}_taskgov.so" \
    grep -q "$plugindir/${p}_taskgov.so\$" "/proc/$ctld_pid/maps"
done
config=$(scontrol show config)
for kv in "JobSubmitPlugins *= taskgov" "PriorityType *= priority/taskgov" "PreemptType *= preempt/taskgov"; do
  check "scontrol show config: $kv" grep -Eq "^$kv\$" <<<"$config"
done
taskgov_check() { taskgov check "$TASKGOV_CLUSTER_DIR/etc/taskgov.json" >"$out/taskgov-check.log" 2>&1; }
check "taskgov check of the example policy against the live cluster" taskgov_check

timed "cluster stop" "$top/scripts/cluster.sh" stop 9>&- >>"$out/cluster.log" 2>&1 || fail "scripts/cluster.sh stop failed"
cluster_started=0
exec 9>&-
