#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Set-ups under which a valid policy goes unenforced are said loudly at policy load in
# slurmctld.log and by `taskgov check`: a QOS whose own GrpTRES on a governed GPU type makes
# Slurm skip the team's association limit, a team account without an association, and CPU-only
# jobs that can strand GPUs (derived CPU limits not in GrpTRES).
. "$(dirname "$0")/lib.sh"

[ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
tg_cluster_mode on
tg_clean_slate

clear_qos() { sacctmgr -i -Q modify qos training set GrpTRES=gres/gpu:h100=-1 >/dev/null 2>&1 || true; }
trap 'clear_qos; tg_cleanup' EXIT
sacctmgr -i -Q modify qos training set GrpTRES=gres/gpu:h100=16 >/dev/null || tg_fatal "sacctmgr modify qos"
for ((i = 0; i < 50; i++)); do
  scontrol show assoc_mgr qos=training flags=qos 2>/dev/null | grep -q 'GrpTRES=.*gres/gpu:h100=16' && break
  sleep 0.2
done

policy='{
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}], "cycle_seconds": 2},
  "teams": [
    {"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "ghost", "account": "ghost", "quota": [{"gres": "gpu:a100", "count": 4}]}
  ]}'
tg_policy "$policy"
log=$(tg_log_since)
tg_assert_contains "slurmctld.log: the QOS GrpTRES that overrides the team's" \
  "taskgov: WARNING: QOS 'training' sets GrpTRES gres/gpu:h100=16: for jobs in it Slurm checks that limit instead of their team's association limit" "$log"
tg_assert_contains "slurmctld.log: the team account without association" \
  "team ghost: account 'ghost' has no association in slurmdbd" "$log"
tg_assert_contains "slurmctld.log: derived CPU/memory not limited" \
  "CPU-only jobs of any team can fill the accelerator nodes' CPUs" "$log"

tg_run "$TG_TASKGOV" check "$TASKGOV_CLUSTER_DIR/etc/taskgov.json"
tg_assert_eq "taskgov check still validates the policy" 0 "$TG_RC"
tg_assert_contains "taskgov check: the QOS GrpTRES" "QOS 'training' sets GrpTRES gres/gpu:h100=16" "$TG_OUT"
tg_assert_contains "taskgov check: the fix" "sacctmgr modify qos training set GrpTRES=gres/gpu:h100=-1" "$TG_OUT"
tg_assert_contains "taskgov check: the missing association" "account 'ghost' has no association" "$TG_OUT"
tg_assert_contains "taskgov check: the stranded GPUs and the option" "set \"enforce_derived\": true" "$TG_OUT"

clear_qos
tg_run "$TG_TASKGOV" check "$TASKGOV_CLUSTER_DIR/etc/taskgov.json"
if [[ $TG_OUT == *"QOS 'training'"* ]]; then tg_fail "without the QOS GrpTRES, check says nothing of it" "" "$TG_OUT"
else tg_pass "without the QOS GrpTRES, check says nothing of it"; fi
tg_done
