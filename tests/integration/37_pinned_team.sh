#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A team whose every waiting job its own limit holds back gets its GrpJobs pinned at its running
# count, so Slurm's scheduler skips those jobs before node selection; nothing is lost by it:
# when the team's big job ends its four waiting jobs start in the same scheduling pass, and a
# new job that fits starts at once, with cycle_seconds at 300 so that no periodic cycle helps,
# while one that cannot fit leaves the pin on.
. "$(dirname "$0")/lib.sh"

[ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
tg_cluster_mode on
tg_clean_slate
tg_policy '{
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}], "cycle_seconds": 300},
  "teams": [
    {"name": "nlp", "account": "nlp", "sharing": "dont-lend",
     "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "vision", "account": "vision", "sharing": "dont-lend",
     "quota": [{"gres": "gpu:h100", "count": 8}]}
  ]}'
admin=$(tg_grp_jobs nlp)

# tg_wait_reasons REASON JOB...: up to 10 s until every job shows REASON.
tg_wait_reasons() {
  local want=$1 i j all
  shift
  for ((i = 0; i < 50; i++)); do
    all=1
    for j in "$@"; do [ "$(tg_squeue "$j" %r)" = "$want" ] || all=0; done
    [ $all = 1 ] && return 0
    sleep 0.2
  done
  return 1
}

tg_submit alice --gres=gpu:h100:8 --wrap 'sleep 600' && big=$TG_JOB
tg_wait_state "$big" RUNNING 20
declare -a small
for i in 1 2 3 4; do
  tg_submit alice --gres=gpu:h100:2 --wrap 'sleep 600' && small[i]=$TG_JOB
done
# The pin comes with the first cycle that sees them waiting: every cycle_seconds, or within a
# second of a job's start or end. A short job of vision's makes one.
tg_submit bob --gres=gpu:h100:1 --wrap true && tg_wait_state "$TG_JOB" COMPLETED 20
tg_wait_reasons AssocGrpJobsLimit "${small[@]}"
tg_assert_eq "the four small jobs wait, skipped before node selection" \
  "AssocGrpJobsLimit AssocGrpJobsLimit AssocGrpJobsLimit AssocGrpJobsLimit" \
  "$(for j in "${small[@]}"; do tg_squeue "$j" %r; done | paste -sd' ')"
tg_assert_eq "nlp's GrpJobs is pinned at its running count" "GrpJobs=1(1)" "$(tg_grp_jobs nlp)"
tg_assert_eq "vision, with nothing waiting, is not pinned" "GrpJobs=N(0)" "$(tg_grp_jobs vision)"
tg_assert_contains "taskgov explain still names the GPU limit" "The limit that holds it: nlp on gres/gpu:h100" \
  "$("$TG_TASKGOV" explain "${small[1]}" 2>&1)"

t0=$(now)
scancel "$big"
for j in "${small[@]}"; do tg_wait_state "$j" RUNNING 20; done
tg_time "the four waiting jobs ran $(tg_secs "$t0") s after the big job was cancelled"
tg_assert_eq "they started in the same scheduling pass" 1 \
  "$(for j in "${small[@]}"; do tg_squeue "$j" %S; done | sort -u | wc -l)"

# A 4-GPU job cannot fit beside three running jobs (6 GPUs): pinned again at the cycle that
# follows a job's end.
tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 600' && wide=$TG_JOB
scancel "${small[4]}"
tg_wait_reasons AssocGrpJobsLimit "$wide"
tg_assert_eq "pinned again at three running jobs" "GrpJobs=3(3)" "$(tg_grp_jobs nlp)"
# Another 4-GPU job cannot fit either: its submission leaves the pin on (at a high submission
# rate, unpinning for every job would undo the pin). No job starts or ends here, so no cycle
# comes to pin the team again within the check.
tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 600' && wide2=$TG_JOB
tg_assert_eq "a new job that cannot fit leaves the pin on" "GrpJobs=3(3)" "$(tg_grp_jobs nlp)"
t0=$(now)
tg_submit alice --gres=gpu:h100:2 --wrap 'sleep 600' && fits=$TG_JOB
tg_wait_state "$fits" RUNNING 10
tg_time "a new job that fits ran $(tg_secs "$t0") s after its submission"
tg_assert_lt "it started without waiting for a cycle (300 s)" 10 "$(tg_secs "$t0")"
tg_assert_eq "the 4-GPU jobs still wait" "PENDING PENDING" "$(tg_squeue "$wide" %T) $(tg_squeue "$wide2" %T)"
tg_wait_reasons AssocGrpJobsLimit "$wide" "$wide2"
tg_assert_eq "the team is pinned again at four running jobs" "GrpJobs=4(4)" "$(tg_grp_jobs nlp)"

tg_clean_slate
sleep 2
tg_assert_eq "with nothing waiting, the administrator's GrpJobs is back" "$admin" "$(tg_grp_jobs nlp)"
tg_done
