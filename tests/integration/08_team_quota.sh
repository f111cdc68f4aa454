#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Quotas per accelerator type: nlp holds 8 H100 with neighbours that do not lend, so of three
# 4-GPU jobs two run and the third pends on the team's limit (AssocGrpGRES, or AssocGrpJobsLimit
# once taskgov pins the team); the A100 and neuron quotas of a team that does not borrow hold the
# same way.
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '"share_unassigned": false' '[
    {"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "vision", "account": "vision", "sharing": "dont-lend",
     "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "speech", "account": "speech", "sharing": "dont-lend",
     "quota": [{"gres": "gpu:a100", "count": 4}, {"gres": "neuron", "count": 8}]}
  ]'

for i in 1 2 3; do
  tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 300' || tg_fail "h100 job $i submitted"
  h100[i]=$TG_JOB
done
tg_submit carol -A speech --gres=gpu:a100:4 --wrap 'sleep 300' && a100_first=$TG_JOB
tg_submit carol -A speech --gres=gpu:a100:4 --wrap 'sleep 300' && a100_second=$TG_JOB
tg_submit carol -A speech --gres=neuron:8 --wrap 'sleep 300' && neuron_first=$TG_JOB
tg_submit carol -A speech --gres=neuron:8 --wrap 'sleep 300' && neuron_second=$TG_JOB

tg_wait_state "${h100[1]}" RUNNING 20
tg_wait_state "${h100[2]}" RUNNING 20
tg_wait_state "$a100_first" RUNNING 20
tg_wait_state "$neuron_first" RUNNING 20
sleep 3   # a few scheduling passes and cycles: nothing else may start
tg_assert_eq "nlp runs 8 H100, its quota" 8 "$(tg_running_gres alice h100)"
tg_assert_match "the third H100 job pends on its team's GPU limit" "^PENDING $TG_AT_LIMIT\$" \
  "$(tg_squeue "${h100[3]}" '%T %r')"
tg_assert_match "the second A100 job pends on speech's A100 quota" "^PENDING $TG_AT_LIMIT\$" \
  "$(tg_squeue "$a100_second" '%T %r')"
tg_assert_match "the second neuron job pends on speech's neuron quota" "^PENDING $TG_AT_LIMIT\$" \
  "$(tg_squeue "$neuron_second" '%T %r')"
limits=$(tg_grp_tres nlp)
tg_assert_contains "scontrol show assoc_mgr: nlp's GrpTRES is its quota" "gres/gpu:h100=8(8)" "$limits"

tg_log "freeing one H100 job lets the pending one start"
scancel "${h100[1]}"
tg_wait_state "${h100[3]}" RUNNING 15
tg_assert_eq "nlp still runs 8 H100" 8 "$(tg_running_gres alice h100)"
tg_done
