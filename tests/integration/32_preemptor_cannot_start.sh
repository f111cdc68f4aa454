#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A preemption must serve its preemptor: taskgov's cycle preempts for a job its team's limit
# holds back only when that job could start once its victims are gone. An inference job with a
# begin time tomorrow, or one waiting on a dependency, preempts nobody; an inference job that
# can start does (exactly one victim), and the waiting ones still have not.
. "$(dirname "$0")/lib.sh"

tg_in_team_scenario lower-priority

tg_submit alice --qos=training --gres=gpu:h100:4 --wrap 'sleep 600' && training1=$TG_JOB
sleep 1.1
tg_submit alice --qos=training --gres=gpu:h100:4 --wrap 'sleep 600' && training2=$TG_JOB
tg_wait_state "$training1" RUNNING 20
tg_wait_state "$training2" RUNNING 20

tg_audit_mark
tg_submit alice --qos=inference --gres=gpu:h100:4 --begin=now+1day --wrap 'sleep 600' && later=$TG_JOB
tg_submit alice --qos=inference --gres=gpu:h100:4 --dependency="afterok:$training1" \
  --wrap 'sleep 600' && dependent=$TG_JOB
sleep 8   # four cycles
tg_assert_eq "no preemption for jobs that cannot start" 0 "$(tg_preemptions | wc -l)"
tg_assert_eq "both training jobs keep running" "RUNNING RUNNING" \
  "$(tg_squeue "$training1" %T) $(tg_squeue "$training2" %T)"
tg_assert_eq "the job of tomorrow waits for its begin time" "PENDING BeginTime" "$(tg_squeue "$later" '%T %r')"
tg_assert_eq "the dependent job waits for its dependency" "PENDING Dependency" "$(tg_squeue "$dependent" '%T %r')"

tg_submit alice --qos=inference --gres=gpu:h100:4 --wrap 'sleep 600' && now=$TG_JOB
tg_wait_state "$now" RUNNING 20
tg_assert_eq "one victim, for the job that could start" "1 $now priority" \
  "$(tg_preemptions | jq -r '"\(.preemptor.job) \(.reason)"' | sort -u | awk '{n++; l=$0} END {print n, l}')"
tg_assert_eq "the newer training job was the victim" PENDING "$(tg_squeue "$training2" %T)"
sleep 6
tg_assert_eq "and no other preemption followed" 1 "$(tg_preemptions | wc -l)"
tg_assert_eq "the first training job still runs" RUNNING "$(tg_squeue "$training1" %T)"
tg_done
