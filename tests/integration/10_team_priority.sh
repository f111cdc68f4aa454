#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Priority classes inside a team at its quota (task-ranking): with preempt_team_tasks
# lower-priority an inference job preempts the team's own training job (the team's limit holds
# the inference job back, so Slurm never offers it victims: the taskgov cycle preempts through
# slurmctld's own call); with never, the inference job pends.
. "$(dirname "$0")/lib.sh"

# fill_with_training: two 4-GPU training jobs fill nlp's quota; sets training1/training2.
fill_with_training() {
  tg_submit alice --qos=training --gres=gpu:h100:4 --wrap 'sleep 600' && training1=$TG_JOB
  sleep 0.3
  tg_submit alice --qos=training --gres=gpu:h100:4 --wrap 'sleep 600' && training2=$TG_JOB
  tg_wait_state "$training1" RUNNING 20
  tg_wait_state "$training2" RUNNING 20
}

tg_log "preempt_team_tasks: lower-priority"
tg_in_team_scenario lower-priority
fill_with_training
t0=$(now)
tg_submit alice --qos=inference --gres=gpu:h100:4 --wrap 'sleep 600' || tg_fatal "inference job submitted"
inference=$TG_JOB
if tg_wait_state "$inference" RUNNING 20; then
  tg_time "in-team priority preemption: inference RUNNING $(tg_secs "$t0")s after submit"
fi
tg_assert_eq "the newer training job was requeued" PENDING "$(tg_squeue "$training2" %T)"
tg_assert_eq "the older training job keeps running" RUNNING "$(tg_squeue "$training1" %T)"
tg_assert_contains "the victim's AdminComment names preemptor and reason" \
  "preempted_by=$inference;reason=priority" "$(tg_scontrol "$training2" AdminComment)"
tg_assert_eq "nlp still holds 8 H100" 8 "$(tg_running_gres alice h100)"
tg_assert_contains "slurmctld.log records the preemption" \
  "preempting JobId=$training2 for JobId=$inference (priority)" "$(tg_log_since)"

tg_log "preempt_team_tasks: never"
tg_in_team_scenario never
fill_with_training
tg_submit alice --qos=inference --gres=gpu:h100:4 --wrap 'sleep 600' || tg_fatal "inference job submitted"
inference=$TG_JOB
sleep 6   # three cycles
tg_assert_match "the inference job pends on the team's limit" "^PENDING $TG_AT_LIMIT\$" "$(tg_squeue "$inference" '%T %r')"
tg_assert_eq "the first training job keeps running" RUNNING "$(tg_squeue "$training1" %T)"
tg_assert_eq "the second training job keeps running" RUNNING "$(tg_squeue "$training2" %T)"
tg_done
