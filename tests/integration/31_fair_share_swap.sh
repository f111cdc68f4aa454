#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fair-share preemption between teams of equal weight (DESIGN.md §2, Kueue's
# LessThanOrEqualToFinalShare): vision runs 8 of its 12 H100 and nlp borrows the 4 idle ones
# while speech wants none; when speech asks for 2, each of its jobs preempts one of nlp's youngest borrowed jobs,
# because speech's share with the job is no higher than nlp's without the victim. The split ends
# even (2:2), with exactly one victim per job and none twice, and it stays so over many cycles
# and past the requeued victims' BeginTime: no flapping.
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '"idle_compute": "fair-share"' '[
    {"name": "nlp", "account": "nlp", "fair_share_weight": 1, "borrow_limit_percent": 500,
     "quota": [{"gres": "gpu:h100", "count": 2}]},
    {"name": "speech", "account": "speech", "fair_share_weight": 1, "borrow_limit_percent": 500,
     "quota": [{"gres": "gpu:h100", "count": 2}]},
    {"name": "vision", "account": "vision", "sharing": "lend",
     "quota": [{"gres": "gpu:h100", "count": 12}]}
  ]'

held() {   # ACCOUNT: H100 its running jobs hold
  squeue -h -A "$1" -t RUNNING -o '%b %D' | awk '
    { n = split($1, items, ","); for (i = 1; i <= n; i++) if (index(items[i], "gpu:h100:")) {
        c = items[i]; sub(/.*:/, "", c); sum += c * $2 } }
    END { print sum + 0 }'
}

tg_submit bob -N1 --gres=gpu:h100:8 --wrap 'sleep 600' && tg_wait_state "$TG_JOB" RUNNING 20
tg_submit alice --gres=gpu:h100:2 --wrap 'sleep 600' && tg_wait_state "$TG_JOB" RUNNING 20
tg_submit carol -A speech --gres=gpu:h100:2 --wrap 'sleep 600' && tg_wait_state "$TG_JOB" RUNNING 20
declare -a nlp
for i in 1 2 3 4; do
  tg_submit alice --gres=gpu:h100:1 --wrap 'sleep 600' && nlp[i]=$TG_JOB
  sleep 1.1   # distinct start times: the youngest is the first victim
done
for i in 1 2 3 4; do tg_wait_state "${nlp[i]}" RUNNING 20; done
tg_assert_eq "nlp borrows all of vision's 4 idle H100 while speech wants none" 6 "$(held nlp)"

tg_audit_mark
t0=$(now)
tg_submit carol -A speech --gres=gpu:h100:1 --wrap 'sleep 600' && s1=$TG_JOB
tg_submit carol -A speech --gres=gpu:h100:1 --wrap 'sleep 600' && s2=$TG_JOB
tg_wait_state "$s1" RUNNING 30 && tg_wait_state "$s2" RUNNING 30 &&
  tg_time "fair-share swap: both of speech's jobs RUNNING $(tg_secs "$t0")s after submit"
tg_assert_eq "the split is even: nlp 2 + 2, speech 2 + 2" "4 4" "$(held nlp) $(held speech)"

records=$(tg_preemptions)
tg_assert_eq "two preemptions, both fair-share" "2 fair-share" \
  "$(jq -r .reason <<<"$records" | sort | uniq -c | awk '{print $1, $2}')"
tg_assert_eq "one victim per preemptor, none twice" "2 2" \
  "$(jq -r .victim.job <<<"$records" | sort -u | wc -l) $(jq -r .preemptor.job <<<"$records" | sort -u | wc -l)"
tg_assert_eq "the victims are nlp's two youngest borrowed jobs" "${nlp[3]} ${nlp[4]}" \
  "$(jq -r .victim.job <<<"$records" | sort -n | paste -sd' ')"
tg_assert_eq "the preemptors are speech's jobs" "$s1 $s2" \
  "$(jq -r .preemptor.job <<<"$records" | sort -n | paste -sd' ')"
tg_assert_contains "a victim's AdminComment names its preemptor and the reason" \
  "reason=fair-share" "$(tg_scontrol "${nlp[4]}" AdminComment)"

tg_log "waiting 40 s: many cycles, and the requeued victims' BeginTime passes"
sleep 40
tg_assert_eq "still even after 40 s" "4 4" "$(held nlp) $(held speech)"
tg_assert_eq "no preemption since the two" 2 "$(tg_preemptions | wc -l)"
tg_assert_eq "the requeued victims still wait" "PENDING PENDING" \
  "$(tg_squeue "${nlp[3]}" %T) $(tg_squeue "${nlp[4]}" %T)"
tg_done
