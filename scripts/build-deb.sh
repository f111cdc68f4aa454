#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the Debian package of taskgov (debian/) for the host's Slurm, or with --slurm 24.11 for
# Slurm 24.11 inside its Debian 13 root (scripts/slurm-root.sh). The package carries the plugins,
# libtaskgov, the taskgov command, the man pages and the example policy, and depends on exactly
# the slurmctld it was built for. Unit tests are left to scripts/test.sh (nocheck).
# Usage: scripts/build-deb.sh [--slurm 24.11]
# Prints the path of the .deb on stdout; the build's log is build/deb[-RELEASE]/build.log.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
release=
if [ "${1:-}" = --slurm ]; then release=${2:-}; shift 2 || true; fi
case $release in ''|host|22.05) release= ;; esac
[ -z "$release" ] || scripts/slurm-root.sh "$release" buildable || exit

out=$top/build/deb${release:+-$release}
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
tree=$out/taskgov-$version
mkdir -p "$tree"
# The sources as git sees them; the build's own products are not carried over.
git ls-files -co --exclude-standard -z | rsync -a --delete-missing-args --from0 --files-from=- ./ "$tree/"
rm -f "$out"/taskgov_*.deb

run=()
if [ -n "$release" ]; then
  run=("$top/scripts/inroot.sh" "$(scripts/slurm-root.sh "$release" ensure)")
  export SLURM_SOURCE=$(scripts/slurm-root.sh "$release" source)
else
  scripts/install-deps.sh
  export SLURM_SOURCE=$(scripts/get-slurm-source.sh)
fi
( cd "$tree" && "${run[@]}" env DEB_BUILD_OPTIONS="nocheck parallel=2" \
    dpkg-buildpackage -us -uc -b ) >"$out/build.log" 2>&1 ||
  { tail -n 30 "$out/build.log" >&2; echo "build-deb: dpkg-buildpackage failed; see $out/build.log" >&2; exit 1; }
ls "$out"/taskgov_*.deb
