#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds taskgov in the source tree: fetches the matching Slurm source, runs autoreconf only when
# configure is missing or older than configure.ac/Makefile.am, configure only when needed, then make.
# Usage: scripts/build.sh [--sanitize] [MAKE-ARGS...]     (default: make -j2)
#   --sanitize  also build the plugins and libtaskgov with ASan+UBSan into build/sanitized-plugins
#               (make plugins-sanitized), for scripts/cluster.sh start --sanitize
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

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

sanitize=0
if [ "${1:-}" = --sanitize ]; then sanitize=1; shift; fi
if [ $# -eq 0 ]; then set -- -j2; fi
make "$@"
if [ $sanitize = 1 ]; then make plugins-sanitized; fi
