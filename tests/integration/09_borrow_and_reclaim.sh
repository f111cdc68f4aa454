#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Borrowing and reclaim. nlp (8 H100, lend-and-borrow, 50 %) borrows vision's idle quota: of four
# 4-GPU jobs three run (12 H100), never four. Then vision asks for its 8 H100: only nlp's
# borrowed job is requeued, nlp's in-quota jobs keep running, vision's job runs within seconds,
# sacct shows the victim's preempted_by and reason=reclaim, and the victim does not start again
# while vision's job runs (no preemption loop).
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '' "$TG_BORROWING_TEAMS"

declare -a nlp
tg_nlp_borrows nlp 4

max=0
for _ in $(seq 1 15); do           # 3 s of scheduling passes and cycles
  n=$(tg_running_gres alice h100); [ "$n" -gt "$max" ] && max=$n
  sleep 0.2
done
tg_assert_eq "nlp borrows up to 12 H100 (quota 8 + 50 %), never 16" 12 "$max"
tg_assert_match "the fourth job pends on the team limit" "^PENDING $TG_AT_LIMIT\$" "$(tg_squeue "${nlp[4]}" '%T %r')"
scancel "${nlp[4]}"

tg_log "vision reclaims its quota"
t0=$(now)
tg_submit bob -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "vision's job submitted"
vision=$TG_JOB
if tg_wait_state "$vision" RUNNING 15; then
  latency=$(tg_secs "$t0")
  tg_time "reclaim: vision's job RUNNING ${latency}s after submit"
  tg_assert_lt "vision's job runs within a few seconds" 5 "$latency"
fi
tg_assert_eq "nlp's borrowed (newest) job was requeued" PENDING "$(tg_squeue "${nlp[3]}" %T)"
tg_assert_eq "nlp's first in-quota job keeps running" RUNNING "$(tg_squeue "${nlp[1]}" %T)"
tg_assert_eq "nlp's second in-quota job keeps running" RUNNING "$(tg_squeue "${nlp[2]}" %T)"
tg_assert_eq "scontrol: the victim was requeued once" 1 "$(tg_scontrol "${nlp[3]}" Restarts)"
tg_assert_contains "scontrol: the victim's AdminComment names preemptor and reason" \
  "preempted_by=$vision;reason=reclaim" "$(tg_scontrol "${nlp[3]}" AdminComment)"
# The requeued job's new database record is created by slurmdbd's db_inx pass (every 5 s);
# the next cycle then sends the trail to it.
comment=
for _ in $(seq 1 75); do
  comment=$(sacct -n -P -X -j "${nlp[3]}" -o AdminComment | tail -1)
  [[ $comment == *preempted_by=* ]] && break
  sleep 0.2
done
tg_assert_match "sacct: the victim's AdminComment while it waits" \
  "^taskgov:team=nlp;class=experimentation;borrowed=[^;]*gres/gpu:h100:4[^;]*;preempted_by=$vision;reason=reclaim$" "$comment"

# A requeued job may restart after cred_expire (30 s here): wait past it. Only the team's
# limit may hold it now, which must not let it push vision out again.
tg_log "waiting 35 s: the victim's BeginTime passes while vision's job runs"
sleep 35
# A submission makes slurmctld run a scheduling pass, which re-evaluates the victim.
tg_submit bob --gres=gpu:h100:1 --wrap true || tg_fail "a job of vision submitted"
sleep 2
tg_assert_eq "vision's job still runs" RUNNING "$(tg_squeue "$vision" %T)"
tg_assert_match "the victim still waits, on nlp's limit" "^PENDING $TG_AT_LIMIT\$" "$(tg_squeue "${nlp[3]}" '%T %r')"
tg_assert_eq "vision's job was never preempted" 0 "$(tg_scontrol "$vision" Restarts)"
tg_done
