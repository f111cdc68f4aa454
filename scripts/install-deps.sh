#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs every Debian package taskgov needs to build, test and run its local cluster.
# Idempotent: when everything is present it only asks dpkg and returns in well under a second.
set -euo pipefail

packages=(
  slurmctld slurmd slurmdbd slurm-client munge mariadb-server mariadb-client
  libslurm-dev libjansson-dev check libspdlog-dev libfmt-dev libcli11-dev libbenchmark-dev
  autoconf automake libtool pkg-config build-essential dpkg-dev debhelper clang libclang-rt-14-dev
  man-db groff-base jq iproute2 procps passwd util-linux
  librsvg2-bin
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Package postinst scripts must not start services: the local cluster starts its own daemons.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
