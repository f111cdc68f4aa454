#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# TASKGOV_POLICY=<file> puts that policy next to slurm.conf (where the plugins read it) and, on a
# running cluster with the plugins, reconfigures slurmctld; without it the repo's etc/taskgov.json
# is used; a missing file is refused.
. "$(dirname "$0")/lib.sh"

mode=$(tg_default_mode)
installed=$TASKGOV_CLUSTER_DIR/etc/taskgov.json
sample=$TG_TOP/etc/taskgov.json
[ -f "$sample" ] || tg_skip "etc/taskgov.json does not exist yet"
tg_cluster_mode "$mode"

policy=$TG_TOP/build/test-fixtures/policy-copy.json
mkdir -p "$(dirname "$policy")"
{ cat "$sample"; echo; } >"$policy"             # same policy, different bytes
tg_log_mark
TASKGOV_POLICY=$policy TASKGOV_PLUGINS=$mode "$TG_CLUSTER" start || tg_fail "start with TASKGOV_POLICY failed"
tg_assert_ok "TASKGOV_POLICY's file is installed next to slurm.conf" cmp "$policy" "$installed"
if [ "$mode" = on ]; then
  # 22.05 reconfigures in place; 24.11 starts slurmctld anew ("Attempting to reconfigure").
  reconfigured=$(tg_log_since | grep -Eo '_slurm_rpc_reconfigure_controller: completed|Attempting to reconfigure' | tail -1)
  tg_assert_match "slurmctld was reconfigured for the new policy" . "$reconfigured"
fi

TASKGOV_PLUGINS=$mode "$TG_CLUSTER" start || tg_fail "start without TASKGOV_POLICY failed"
tg_assert_ok "without TASKGOV_POLICY, etc/taskgov.json is installed" cmp "$sample" "$installed"

out=$(TASKGOV_POLICY=$TG_TOP/build/no-such-policy.json TASKGOV_PLUGINS=$mode "$TG_CLUSTER" start 2>&1); rc=$?
tg_assert_eq "a missing TASKGOV_POLICY file is refused (exit 1)" 1 "$rc"
tg_assert_contains "the refusal names the file" "no-such-policy.json: no such file" "$out"
tg_assert_ok "the cluster keeps running after the refusal" "$TG_CLUSTER" status
tg_done
