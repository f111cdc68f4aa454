#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Limits are in force from the first seconds after slurmctld starts (a restart or an HA
# takeover): the priority plugin's first cycle runs as soon as it starts. nlp sits at its limit
# (quota 8 + borrow cap 4) with more jobs waiting while vision's quota is idle; across a
# slurmctld restart nlp never holds more than 12 H100, and the limit is in assoc_mgr within a
# second of slurmctld answering.
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '' "$TG_BORROWING_TEAMS"
declare -a nlp
tg_nlp_borrows nlp 5
tg_assert_eq "nlp holds its limit" 12 "$(tg_running_gres alice h100)"

limit() { tg_grp_tres nlp | sed -n 's/.*gres\/gpu:h100=\([0-9]*\).*/\1/p'; }
old=$(tg_ctld_pid)
tg_log "restarting slurmctld"
kill "$old"
for _ in $(seq 1 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.2; done
tg_cluster_mode on   # starts slurmctld again with the same configuration
most=0
first_limit=
for i in $(seq 1 40); do   # 8 s from the moment slurmctld answers
  held=$(tg_running_gres alice h100)
  [ "$held" -gt "$most" ] && most=$held
  [ -n "$first_limit" ] || [ "$i" -gt 5 ] || first_limit=$(limit)
  sleep 0.2
done
tg_assert_eq "slurmctld was restarted" 1 "$([ "$(tg_ctld_pid)" != "$old" ] && echo 1 || echo 0)"
tg_assert_eq "nlp's limit is in assoc_mgr within a second of slurmctld answering" 12 "$first_limit"
tg_assert_eq "nlp never held more than its limit across the restart" 12 "$most"
tg_assert_eq "its two other jobs still wait" "PENDING PENDING" "$(tg_squeue "${nlp[4]}" %T) $(tg_squeue "${nlp[5]}" %T)"
tg_done
