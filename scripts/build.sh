#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds taskgov in the source tree: fetches the matching Slurm source, runs autoreconf only when
# configure is missing or older than configure.ac/Makefile.am, configure only when needed, then make.
# Usage: scripts/build.sh [--slurm RELEASE] [--sanitize] [MAKE-ARGS...]     (default: make -j2)
#   --slurm 24.11  builds for Slurm 24.11 instead of the host's own release: inside the Debian 13
#                  root of scripts/slurm-root.sh (made when missing), against that release's source
#                  tree, in build/slurm-24.11 (a copy of the sources: the tree's own build, for the
#                  host's Slurm, stays as it is). The products are build/slurm-24.11/plugin/.libs/*.so
#                  and build/slurm-24.11/taskgov. 26.05 is refused: its source is not reachable
#                  here (scripts/slurm-root.sh 26.05 buildable says why).
#   --sanitize     also build the plugins and libtaskgov with ASan+UBSan into build/sanitized-plugins
#                  (make plugins-sanitized), for scripts/cluster.sh start --sanitize (host's release)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

release=
sanitize=0
while [ $# -gt 0 ]; do
  case $1 in
    --slurm) release=${2:-}; shift 2 || true ;;
    --sanitize) sanitize=1; shift ;;
    *) break ;;
  esac
done
case $release in ''|host|22.05) release= ;; esac
if [ $# -eq 0 ]; then set -- -j2; fi

if [ -n "$release" ]; then
  scripts/slurm-root.sh "$release" buildable || exit
  root=$(scripts/slurm-root.sh "$release" ensure)
  slurm_source=$(scripts/slurm-root.sh "$release" source)
  bdir=$top/build/slurm-$release
  mkdir -p "$bdir"
  # The sources as git sees them (tracked, and new files not ignored), mtimes kept so that make
  # rebuilds only what changed; configure runs there, inside the root.
  git ls-files -co --exclude-standard -z | rsync -a --from0 --files-from=- ./ "$bdir/"
  exec scripts/inroot.sh "$root" bash -ec '
    cd "$1"; src=$2; shift 2
    if [ ! -x configure ] || [ configure -ot configure.ac ] || [ configure -ot Makefile.am ]; then
      echo "build: autoreconf -fi"
      autoreconf -fi
    fi
    if [ ! -f config.status ] || [ ! -f Makefile ] || [ config.status -ot configure ] ||
       ! ./config.status --config | grep -qF -- "--with-slurm-source=$src"; then
      echo "build: ./configure --with-slurm-source=$src"
      ./configure --with-slurm-source="$src"
    fi
    make "$@"' build "$bdir" "$slurm_source" "$@"
fi

slurm_source=$(scripts/get-slurm-source.sh)

if [ ! -x configure ] || [ configure -ot configure.ac ] || [ configure -ot Makefile.am ]; then
  echo "build: autoreconf -fi"
  autoreconf -fi
fi

configure_args=(--with-slurm-source="$slurm_source")
if [ ! -f config.status ] || [ ! -f Makefile ] || [ config.status -ot configure ] ||
   ! ./config.status --config | grep -qF -- "--with-slurm-source=$slurm_source"; then
  echo "build: ./configure ${configure_args[*]}"
  ./configure "${configure_args[@]}"
fi

make "$@"
if [ $sanitize = 1 ]; then make plugins-sanitized; fi
