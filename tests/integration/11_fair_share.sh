#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fair share of idle compute: nlp (weight 10) and speech (weight 1) both want vision's idle
# quota. While they wait, nlp's borrowing jobs rank above speech's; when vision's quota comes
# free, nlp gets the larger share first.
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '"idle_compute": "fair-share"' '[
    {"name": "vision", "account": "vision", "sharing": "lend",
     "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "nlp", "account": "nlp", "fair_share_weight": 10, "borrow_limit_percent": 200,
     "quota": [{"gres": "gpu:h100", "count": 4}]},
    {"name": "speech", "account": "speech", "fair_share_weight": 1, "borrow_limit_percent": 200,
     "quota": [{"gres": "gpu:h100", "count": 4}]}
  ]'

# vision holds its whole quota, nlp and speech theirs: the cluster's 16 H100 are busy.
tg_submit bob -N1 --gres=gpu:h100:8 --wrap 'sleep 600' && blocker=$TG_JOB
tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 600' && nlp_own=$TG_JOB
tg_submit carol -A speech --gres=gpu:h100:4 --wrap 'sleep 600' && speech_own=$TG_JOB
for job in $blocker $nlp_own $speech_own; do tg_wait_state "$job" RUNNING 20; done

# Both want to borrow 8 more; speech asks first.
tg_submit carol -A speech --gres=gpu:h100:4 --wrap 'sleep 600' && speech1=$TG_JOB
tg_submit carol -A speech --gres=gpu:h100:4 --wrap 'sleep 600' && speech2=$TG_JOB
sleep 1
tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 600' && nlp1=$TG_JOB
tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 600' && nlp2=$TG_JOB
sleep 5   # cycles set the site factors of the waiting jobs

p_nlp=$(tg_squeue "$nlp1" %Q); p_speech=$(tg_squeue "$speech1" %Q)
tg_log "priorities while waiting: nlp $p_nlp, speech $p_speech"
if [ -n "$p_nlp" ] && [ -n "$p_speech" ] && [ "$p_nlp" -gt "$p_speech" ]; then
  tg_pass "nlp's borrowing job ranks above speech's earlier one ($p_nlp > $p_speech)"
else
  tg_fail "nlp's borrowing job ranks above speech's earlier one" "nlp > speech" "nlp $p_nlp, speech $p_speech"
fi
site=$(sprio -h -j "$nlp1" -o '%S' 2>/dev/null | tr -d ' ')
tg_assert_match "sprio shows taskgov's term as SITE" '^[1-9][0-9]*$' "$site"

tg_log "vision's quota comes free"
scancel "$blocker"
tg_wait_state "$nlp1" RUNNING 15
tg_wait_state "$nlp2" RUNNING 15
sleep 2
tg_assert_eq "nlp borrowed all 8 idle H100" 12 "$(tg_running_gres alice h100)"
tg_assert_eq "speech still waits" "PENDING PENDING" "$(tg_squeue "$speech1" %T) $(tg_squeue "$speech2" %T)"
tg_assert_eq "speech keeps its own quota" 4 "$(tg_running_gres carol h100)"
tg_done
