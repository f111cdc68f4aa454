# SPDX-License-Identifier: GPL-2.0-or-later
# The one clock of the shell scripts (source this file): scripts/cluster.sh, scripts/test.sh and
# tests/integration/lib.sh time their steps with it.
# shellcheck shell=bash

now() { echo "${EPOCHREALTIME/./}"; }   # microseconds since the epoch
# Seconds since `now` printed T0, with DIGITS (1 or 2) decimals: elapsed T0 DIGITS
elapsed() {
  local d=$(( $(now) - $1 ))
  if [ "${2:-1}" = 2 ]; then printf '%d.%02d' $((d / 1000000)) $((d / 10000 % 100))
  else printf '%d.%01d' $((d / 1000000)) $((d / 100000 % 10)); fi
}
