#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The short soak: scripts/soak.sh with 150 operations and 2 slurmctld restarts (seed 35); every
# invariant after every step (RELIABILITY.md). The long campaign is scripts/soak.sh's default.
. "$(dirname "$0")/lib.sh"

[ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
t0=$(now)
if "$TG_TOP/scripts/soak.sh" --seed 35 --ops 150 --restarts 2; then
  tg_pass "150 operations and 2 restarts without a violation"
else
  tg_fail "the soak found violations (listed above)"
fi
tg_time "soak of 150 operations and 2 restarts: $(tg_secs "$t0") s"
tg_done
