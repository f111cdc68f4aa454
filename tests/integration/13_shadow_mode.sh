#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Shadow mode: the workload of the borrowing and reclaim scenario, with nothing enforced (no
# limits, no refusals, no preemption) and every decision logged in slurmctld.log.
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '"mode": "shadow"' "$TG_BORROWING_TEAMS"

declare -a nlp
for i in 1 2 3 4; do
  tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 600' || tg_fail "nlp job $i submitted"
  nlp[i]=$TG_JOB
done
for i in 1 2 3 4; do tg_wait_state "${nlp[i]}" RUNNING 20; done
tg_assert_eq "nothing limits nlp: it runs all 16 H100" 16 "$(tg_running_gres alice h100)"
tg_assert_eq "no AdminComment is stamped in shadow mode" "" "$(tg_scontrol "${nlp[1]}" AdminComment)"

tg_submit bob -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "vision's job submitted"
vision=$TG_JOB
sleep 5
tg_assert_eq "vision's job is not given its quota back by preemption" PENDING "$(tg_squeue "$vision" %T)"
tg_assert_eq "nlp keeps all 16 H100" 16 "$(tg_running_gres alice h100)"

out=$(cd "$TG_JOBDIR" && runuser -u alice -- sbatch -N2 --gres=gpu:h100:8 -o /dev/null --wrap true 2>&1); rc=$?
[ $rc != 0 ] || TG_JOBS+=("${out##* }")
tg_assert_eq "a request beyond quota + borrow cap is not refused" 0 "$rc"

log=$(tg_log_since)
tg_assert_contains "the log shows the limit nlp would get" \
  "taskgov: shadow mode: would limit account nlp to GrpTRES" "$log"
tg_assert_contains "the log shows the reclaim that would happen" \
  "preempt/taskgov: shadow mode: would preempt JobId=${nlp[4]} for JobId=$vision (reclaim)" "$log"
tg_assert_contains "the log shows the submission that would be refused" \
  "job_submit/taskgov: shadow mode: uid" "$log"
tg_assert_contains "with its reason" "would refuse: taskgov: team nlp can never run this job" "$log"
tg_done
