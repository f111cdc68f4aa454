#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Switching a running cluster from stock plugins to taskgov's rewrites slurm.conf and restarts
# slurmctld; all three taskgov plugins then load (their init lines in slurmctld.log) while jobs flow.
. "$(dirname "$0")/lib.sh"

tg_plugins_built || tg_skip "the taskgov plugins are not built ($TG_PLUGIN_DIR/*_taskgov.so missing)"

tg_cluster_mode off
tg_assert_eq "plugins off: PriorityType" priority/multifactor "$(tg_config PriorityType)"
tg_assert_eq "plugins off: PreemptType" preempt/qos "$(tg_config PreemptType)"
tg_assert_eq "plugins off: no JobSubmitPlugins" "(null)" "$(tg_config JobSubmitPlugins)"
ctld_off=$(tg_ctld_pid)

tg_log_mark
tg_cluster_mode on
tg_assert_eq "plugins on: PriorityType" priority/taskgov "$(tg_config PriorityType)"
tg_assert_eq "plugins on: PreemptType" preempt/taskgov "$(tg_config PreemptType)"
tg_assert_eq "plugins on: JobSubmitPlugins" taskgov "$(tg_config JobSubmitPlugins)"
tg_assert_match "plugins on: PluginDir lists the plugins' folder" "(^|:)$TG_PLUGIN_DIR\$" "$(tg_config PluginDir)"
tg_assert_eq "slurm.conf rewritten for plugins on" priority/taskgov \
  "$(sed -n 's/^PriorityType=//p' "$SLURM_CONF")"
if [ "$(tg_ctld_pid)" = "$ctld_off" ]; then
  tg_fail "slurmctld restarted for the mode change" "a new slurmctld PID" "$ctld_off (unchanged)"
else
  tg_pass "slurmctld restarted for the mode change ($ctld_off -> $(tg_ctld_pid))"
fi

tg_submit alice --gres=gpu:h100:1 --wrap true || tg_fail "a GPU job is accepted with the plugins loaded"
[ -z "$TG_JOB" ] || tg_wait_state "$TG_JOB" COMPLETED 30
tg_assert_ok "slurmctld still answers after a job went through the plugins" scontrol ping

log=$(tg_log_since)
for p in job_submit priority preempt; do
  line=$(grep -m1 "$p/taskgov: init" <<<"$log")
  tg_assert_contains "slurmctld.log: $p/taskgov init line" "$p/taskgov: init" "$line"
done
tg_assert_eq "slurmctld.log: no fatal lines since the switch" "" "$(grep -i 'fatal' <<<"$log")"
tg_done
