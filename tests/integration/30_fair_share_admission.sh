#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fair sharing divides idle capacity at admission (DESIGN.md §2): borrowing teams get the
# lendable pool in proportion to their weights without a single preemption, whether they ask
# at the same moment, or wait while the pool is busy and it then frees all at once; a team of
# weight 0 borrows only what no positive weight wants, and gives it back when one does.
# Every borrower owns 2 H100 (500 % borrow limit: it may borrow 10) and runs them itself, so
# what it borrows is vision's idle quota.
. "$(dirname "$0")/lib.sh"

# policy VISION_QUOTA TEAMS...: each of TEAMS is ACCOUNT:WEIGHT, a borrower of quota 2.
policy() {
  local vision=$1 teams='' spec
  shift
  for spec in "$@"; do
    teams+='{"name": "'"${spec%%:*}"'", "account": "'"${spec%%:*}"'", "fair_share_weight": '"${spec#*:}"',
             "borrow_limit_percent": 500, "quota": [{"gres": "gpu:h100", "count": 2}]},'
  done
  tg_governed_scenario '"idle_compute": "fair-share", "share_unassigned": false' '['"$teams"'
    {"name": "vision", "account": "vision", "sharing": "lend",
     "quota": [{"gres": "gpu:h100", "count": '"$vision"'}]}]'
}

# own USER ACCOUNT: the team runs its own quota (2 H100).
own() {
  tg_submit "$1" -A "$2" --gres=gpu:h100:2 --wrap 'sleep 600' || tg_fatal "$2's own job submitted"
  tg_wait_state "$TG_JOB" RUNNING 20
}

# ones USER ACCOUNT N: N jobs of 1 H100.
ones() {
  local i
  for ((i = 0; i < $3; i++)); do tg_submit "$1" -A "$2" --gres=gpu:h100:1 --wrap 'sleep 600' >/dev/null; done
}

# held ACCOUNT: H100 its running jobs hold.
held() {
  squeue -h -A "$1" -t RUNNING -o '%b %D' | awk '
    { n = split($1, items, ","); for (i = 1; i <= n; i++) if (index(items[i], "gpu:h100:")) {
        c = items[i]; sub(/.*:/, "", c); sum += c * $2 } }
    END { print sum + 0 }'
}

# settle WANT ACCOUNT...: wait up to 20 s until the accounts hold WANT ("10 6"), then 3 cycles
# more in which nothing may move.
settle() {
  local want=$1 got i
  shift
  for ((i = 0; i < 100; i++)); do
    got=$(for a in "$@"; do held "$a"; done | paste -sd' ')
    [ "$got" = "$want" ] && break
    sleep 0.2
  done
  sleep 6
  got=$(for a in "$@"; do held "$a"; done | paste -sd' ')
  tg_assert_eq "H100 held by $*" "$want" "$got"
}

no_preemption() {
  tg_assert_eq "$1: no job was preempted" 0 "$(tg_preemptions | wc -l)"
  tg_assert_eq "$1: no job was requeued" 0 \
    "$(squeue -h -o %i | xargs -r -n1 scontrol show job -o | grep -c 'Restarts=[1-9]')"
}

tg_log "weights 2:1, both asking at once: vision's 12 idle H100 split 8:4"
policy 12 nlp:2 speech:1
own alice nlp
own carol speech
tg_audit_mark
for _ in 1 2 3; do ones alice nlp 4; ones carol speech 4; done
settle "10 6" nlp speech
no_preemption "2:1"

tg_log "weights 2:2:1 over 10 idle H100 that free all at once: 4:4:2"
policy 10 nlp:2 speech:2 sandbox:1
own alice nlp
own carol speech
own carol sandbox
tg_submit bob -A vision --gres=gpu:h100:8 --wrap 'sleep 600' && big1=$TG_JOB
tg_submit bob -A vision --gres=gpu:h100:2 --wrap 'sleep 600' && big2=$TG_JOB
tg_wait_state "$big1" RUNNING 20
tg_wait_state "$big2" RUNNING 20
ones alice nlp 8
ones carol speech 8
ones carol sandbox 8
sleep 5   # cycles see the demand while the pool is busy
tg_assert_eq "nothing borrows while vision runs its quota" "2 2 2" \
  "$(for a in nlp speech sandbox; do held "$a"; done | paste -sd' ')"
tg_audit_mark
scancel "$big1" "$big2"
settle "6 6 4" nlp speech sandbox
no_preemption "2:2:1"

tg_log "weight 0 borrows what the others leave, and gives it back when they want it"
policy 12 nlp:1 speech:0
own alice nlp
own carol speech
ones alice nlp 3
sleep 1
ones carol speech 12
settle "5 11" nlp speech
tg_audit_mark
ones alice nlp 3
settle "8 8" nlp speech
tg_assert_eq "speech's 3 youngest borrowed jobs made room, by fair share" "3 fair-share" \
  "$(tg_preemptions | jq -r .reason | sort | uniq -c | awk '{print $1, $2}')"
tg_done
