#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A Debian root (debootstrap, under build/roots/) carrying another Slurm release than the host's,
# from Debian's own packages, so that taskgov is built and tested against that release on this
# machine: slurmctld, slurmd, slurmdbd, the clients, munge, MariaDB, taskgov's build dependencies,
# and the release's source tree (orig tarball + Debian's patches) for slurmctld's internal headers
# when the archive has it (not for 26.05: its root runs the stock cluster only).
# Idempotent: each step runs only when its result is missing; a complete root returns at once.
# --runtime makes a root with only what a site's Slurm host has (the daemons, the clients, munge,
# MariaDB): no build dependencies and no source, where a package of taskgov is installed and tested
# (scripts/test-deb.sh, which works on an overlay of it so that the root itself stays without taskgov).
#
# Usage: scripts/slurm-root.sh RELEASE [--runtime] [ensure|path|source|buildable|run CMD...]
#   RELEASE    24.11 (Debian 13 "trixie"), 26.05 (Debian "sid", without the source tree), under
#              build/roots/<suite>; with --runtime also 22.05 (Debian 12 "bookworm"; the host's
#              own otherwise), under build/roots/<suite>-runtime
#   ensure     (default) create or complete the root; prints its path
#   path       print the root's path (no check)
#   source     print the source tree's path inside the root (after ensure); for a release
#              or a root without one, says why and exits 3
#   buildable  exit 0 when taskgov can be built for RELEASE here, else say why and exit 3
#   run        run CMD inside the root (see scripts/inroot.sh), after ensure
# Timings of each step go to build/roots/<suite>.timings.
set -euo pipefail
shopt -s inherit_errexit

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
die() { printf 'slurm-root: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'slurm-root: %s\n' "$*" >&2; }

release=${1:-}
shift || true
runtime=0
if [ "${1:-}" = --runtime ]; then runtime=1; shift; fi
no_source=                                       # why the root has no source tree
case $release:$runtime in
  24.11:*) suite=trixie ;;
  22.05:1) suite=bookworm ;;
  26.05:*) suite=sid
    no_source="Debian sid has Slurm 26.05's packages but not its source on the archive this machine reaches (apt-get source slurm-wlm: 404 for all three files), and no package ships the internal headers the plugins include (slurmctld.h, locks.h, assoc_mgr.h, src/interfaces/*.h); the stock cluster runs with TASKGOV_PLUGINS=off (README, \"Install on a cluster\")" ;;
  *) die "unknown Slurm release '${release}': supported are 24.11 (Debian 13), 26.05 (Debian sid, stock plugins only), and 22.05 (Debian 12) with --runtime; 22.05 is otherwise the host's own" ;;
esac
root=$top/build/roots/$suite
if [ $runtime = 1 ]; then
  root+=-runtime
  [ -n "$no_source" ] || no_source="a --runtime root has only a site's Slurm, no build dependencies and no source tree"
fi
timings=$root.timings
src_dir=/srv/src                                 # inside the root

inroot() { "$top/scripts/inroot.sh" "$root" "$@"; }

# The Debian mirror apt on the host already uses (the only archive this machine reaches).
mirror() {
  local m
  m=$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $3 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${m:-http://deb.debian.org/debian}"
}

now() { echo "${EPOCHREALTIME/./}"; }
timed() {                                        # timed LABEL COMMAND...
  local label=$1 t0 rc=0
  shift
  t0=$(now)
  "$@" || rc=$?
  local d=$(( $(now) - t0 ))
  printf '%s %s %d.%01d s\n' "$(date -u +%FT%TZ)" "$label" $((d / 1000000)) $((d / 100000 % 10)) >>"$timings"
  say "$label: $((d / 1000000)).$((d / 100000 % 10)) s"
  return $rc
}

# Packages of the root: the cluster's daemons and clients, what taskgov needs to build there (not
# in a runtime root), and the tools the cluster and the tests run inside it. The order is the one
# the .taskgov-packages marker of existing roots records.
packages=(slurmctld slurmd slurmdbd slurm-client munge mariadb-server mariadb-client)
[ $runtime = 1 ] || packages+=(
  libslurm-dev libjansson-dev check libspdlog-dev libfmt-dev libcli11-dev
  autoconf automake libtool pkg-config build-essential dpkg-dev debhelper
)
packages+=(jq iproute2 procps passwd util-linux)

step_debootstrap() {
  [ -x "$root/usr/bin/apt-get" ] && [ -f "$root/.taskgov-debootstrap-done" ] && return 0
  command -v debootstrap >/dev/null || timed "apt-get install debootstrap (host)" \
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2
  rm -rf "$root"
  mkdir -p "$(dirname "$root")"
  timed "debootstrap $suite" debootstrap --variant=minbase "$suite" "$root" "$(mirror)" >"$root.debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $root.debootstrap.log"
  touch "$root/.taskgov-debootstrap-done"
}

step_configure_root() {
  local m
  m=$(mirror)
  # Package scripts must not start daemons on their default ports (R5).
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 0755 "$root/usr/sbin/policy-rc.d"
  # Slurm binds to gethostname()'s address, which must be 127.0.0.1 inside the root too (R4, P3).
  cp /etc/hosts "$root/etc/hosts"
  {
    printf 'deb %s %s main\ndeb-src %s %s main\n' "$m" "$suite" "$m" "$suite"
    if [ "$suite" != sid ]; then                 # sid has no updates or security suites
      printf 'deb %s %s-updates main\ndeb-src %s %s-updates main\n' "$m" "$suite" "$m" "$suite"
      printf 'deb %s %s-security main\ndeb-src %s %s-security main\n' \
        "${m%/debian}/debian-security" "$suite" "${m%/debian}/debian-security" "$suite"
    fi
  } >"$root/etc/apt/sources.list.new"
  # The sid archive this machine reaches is older than its clock: apt would refuse its expired
  # Release file (R2).
  if [ "$suite" = sid ]; then
    echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99taskgov-no-valid-until"
  fi
  if ! cmp -s "$root/etc/apt/sources.list.new" "$root/etc/apt/sources.list"; then
    mv "$root/etc/apt/sources.list.new" "$root/etc/apt/sources.list"
    rm -f "$root/.taskgov-packages"
  else
    rm -f "$root/etc/apt/sources.list.new"
  fi
}

step_packages() {
  local want
  want=$(printf '%s\n' "${packages[@]}")
  [ -f "$root/.taskgov-packages" ] && [ "$(cat "$root/.taskgov-packages")" = "$want" ] && return 0
  timed "apt-get update ($suite)" inroot apt-get update -qq >&2
  timed "apt-get install (${#packages[@]} packages)" \
    inroot apt-get install -y -qq --no-install-recommends "${packages[@]}" >"$root.apt.log" 2>&1 ||
    die "apt-get install in the root failed; see $root.apt.log"
  printf '%s\n' "$want" >"$root/.taskgov-packages"
}

installed_version() { inroot dpkg-query -W -f='${Version}' slurmctld; }    # 24.11.5-4+deb13u1

# The source: `apt-get source` finds no .dsc for the security update, so the orig tarball (main
# pool) and Debian's patches (security pool) are fetched apart and put together (R6).
step_source() {
  local debver upstream tree
  debver=$(installed_version)
  upstream=${debver%%-*}
  tree=$src_dir/slurm-$upstream
  if [ -f "$root$tree/src/slurmctld/slurmctld.h" ] && [ -f "$root$tree/config.h" ] &&
     [ -f "$root$tree/.taskgov-debian-version" ] && [ "$(cat "$root$tree/.taskgov-debian-version")" = "$debver" ]; then
    return 0
  fi
  mkdir -p "$root$src_dir"
  rm -rf "${root:?}$tree"
  timed "fetch source slurm-wlm $debver" inroot sh -ec "
    cd $src_dir
    [ -f slurm-wlm_$upstream.orig.tar.gz ] || apt-get source -qq --download-only --tar-only slurm-wlm/$suite
    ls slurm-wlm_$debver.debian.tar.* >/dev/null 2>&1 ||
      apt-get source -qq --download-only --diff-only slurm-wlm/$suite-security ||
      apt-get source -qq --download-only --diff-only slurm-wlm/$suite
    ls slurm-wlm_$debver.debian.tar.* >/dev/null" >&2 ||
    die "cannot fetch the source of slurm-wlm $debver (orig tarball and Debian patches) from the archive"
  timed "unpack and patch slurm-$upstream" inroot sh -ec "
    mkdir -p $tree && cd $tree
    tar xzf ../slurm-wlm_$upstream.orig.tar.gz --strip-components=1
    tar xJf ../slurm-wlm_$debver.debian.tar.xz
    dpkg-source --before-build . >/dev/null" >&2
  # Debian builds Slurm with NDEBUG (verify_lock is not exported); slurm_version.h is generated by
  # configure, so the installed one is taken.
  printf '/* taskgov: minimal config.h, matching how Debian built slurm %s */\n#define NDEBUG 1\n' \
    "$upstream" >"$root$tree/config.h"
  cp "$root/usr/include/slurm/slurm_version.h" "$root$tree/slurm/slurm_version.h"
  echo "$debver" >"$root$tree/.taskgov-debian-version"
}

source_tree() { echo "$src_dir/slurm-$(installed_version | sed 's/-.*//')"; }

ensure() {
  [ "$(id -u)" -eq 0 ] || die "run as root (debootstrap, chroot)"
  mkdir -p "$(dirname "$timings")"
  step_debootstrap
  step_configure_root
  step_packages
  [ -n "$no_source" ] || step_source
}

# buildable: taskgov's plugins need the release's internal headers, from its source tree.
buildable() {
  [ -z "$no_source" ] && return 0
  printf 'taskgov cannot be built for %s here: %s\n' "$release" "$no_source" >&2
  exit 3
}

case ${1:-ensure} in
  ensure) ensure; echo "$root" ;;
  path) echo "$root" ;;
  source) buildable; source_tree ;;
  buildable) buildable ;;
  run) shift; ensure; inroot "$@" ;;
  *) die "usage: $0 RELEASE [--runtime] [ensure|path|source|buildable|run CMD...]" ;;
esac
