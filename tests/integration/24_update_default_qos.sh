#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `scontrol update QOS=` (empty) asks Slurm for the association's default QOS, and taskgov judges
# that QOS, not its lowest class: refused when the default is no priority class (alice has none
# set, so Slurm would take "normal"), accepted and stamped when it is one.
. "$(dirname "$0")/lib.sh"

[ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
tg_cluster_mode on
tg_clean_slate

reset_default() { sacctmgr -i -Q modify user alice set DefaultQOS=-1 >/dev/null 2>&1 || true; }
trap 'reset_default; tg_cleanup' EXIT
reset_default

tg_submit alice --hold --qos=training --gres=gpu:h100:1 --wrap 'sleep 1' || tg_fatal "alice's job submitted"
job=$TG_JOB
tg_assert_fails "QOS= is refused: alice's default QOS (normal) is no class" \
  runuser -u alice -- scontrol update jobid="$job" QOS=
tg_assert_eq "the job keeps its QOS" training "$(tg_scontrol "$job" QOS)"
tg_assert_eq "and its class" "taskgov:team=nlp;class=training" "$(tg_scontrol "$job" AdminComment)"

sacctmgr -i -Q modify user alice set DefaultQOS=inference >/dev/null || tg_fatal "sacctmgr set DefaultQOS"
for ((i = 0; i < 50; i++)); do
  scontrol show assoc_mgr users=alice accounts=nlp flags=assoc 2>/dev/null | grep -q 'DefQOS=inference' && break
  sleep 0.2
done
want=inference
if [ -z "${TASKGOV_SLURM:-}" ]; then
  tg_assert_ok "with DefaultQOS=inference, QOS= is accepted" runuser -u alice -- scontrol update jobid="$job" QOS=
  tg_assert_eq "Slurm set the default QOS" inference "$(tg_scontrol "$job" QOS)"
  tg_assert_eq "and the stamp names that class" "taskgov:team=nlp;class=inference" "$(tg_scontrol "$job" AdminComment)"
else
  # Slurm 24.11 refuses an empty QOS= on update: the job and its stamp stay as they were.
  want=training
  tg_assert_fails "Slurm 24.11 refuses QOS=" runuser -u alice -- scontrol update jobid="$job" QOS=
  tg_assert_eq "the job keeps its QOS" training "$(tg_scontrol "$job" QOS)"
  tg_assert_eq "and the stamp its class" "taskgov:team=nlp;class=training" "$(tg_scontrol "$job" AdminComment)"
fi
tg_assert_ok "alice releases it" runuser -u alice -- scontrol release "$job"
if tg_wait_state "$job" COMPLETED 30; then
  tg_assert_eq "sacct: the job ran with QOS $want" "$want" "$(tg_sacct "$job" QOS)"
fi
tg_done
