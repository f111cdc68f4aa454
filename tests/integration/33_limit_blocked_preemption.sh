#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The preemption taskgov's cycle carries out for a job its own team's limit holds back serves
# that job, and only it: nlp, at its quota with two experimentation jobs running and three more
# waiting, gets an inference job. Exactly one experimentation job is requeued, the inference job
# takes its place, none of the waiting experimentation jobs (nor the victim) takes the freed
# GPUs, and nothing else is preempted over the following cycles: no loop.
. "$(dirname "$0")/lib.sh"

tg_in_team_scenario lower-priority

declare -a exp
for i in 1 2 3 4 5; do
  tg_submit alice --qos=experimentation --gres=gpu:h100:4 --wrap 'sleep 600' && exp[i]=$TG_JOB
  sleep 1.1
done
tg_wait_state "${exp[1]}" RUNNING 20
tg_wait_state "${exp[2]}" RUNNING 20
sleep 3
tg_assert_match "three experimentation jobs wait on nlp's limit" "^$TG_AT_LIMIT $TG_AT_LIMIT $TG_AT_LIMIT\$" \
  "$(for i in 3 4 5; do tg_squeue "${exp[i]}" %r; done | paste -sd' ')"

tg_audit_mark
tg_submit alice --qos=inference --gres=gpu:h100:4 --wrap 'sleep 600' && inference=$TG_JOB
tg_wait_state "$inference" RUNNING 20
tg_assert_eq "exactly one victim: the younger running experimentation job" "${exp[2]} priority" \
  "$(tg_preemptions | jq -r '"\(.victim.job) \(.reason)"' | paste -sd' ')"
sleep 8   # four cycles
tg_assert_eq "no further preemption" 1 "$(tg_preemptions | wc -l)"
tg_assert_eq "nlp runs the older experimentation job and the inference job" "${exp[1]} $inference" \
  "$(squeue -h -A nlp -t RUNNING -o %i | sort -n | paste -sd' ')"
tg_assert_eq "the waiting experimentation jobs never started" "PENDING PENDING PENDING" \
  "$(for i in 3 4 5; do tg_squeue "${exp[i]}" %T; done | paste -sd' ')"
tg_done
