#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `taskgov simulate --from-sacct` replays the live cluster's own history from slurmdbd: nlp runs
# three 4-H100 jobs (one on vision's idle quota), vision a short 4-H100 job and then an 8-H100
# job that reclaims nlp's borrowed one; everything is cancelled a few seconds later. The replay
# on the cluster's H100 nodes under the installed policy must hold every job that ran, with the
# run time of its last run, the GPUs it was allocated and the wait it observed (first
# submission to last start), all computed here from sacct's own text output; and every regime
# must finish every job.
. "$(dirname "$0")/lib.sh"

[ -x "$TG_TASKGOV" ] || tg_skip "taskgov is not built"
tg_governed_scenario '' "$TG_BORROWING_TEAMS"
stamp() { date -d "@$1" +%Y-%m-%dT%H:%M:%S; }   # as taskgov and sacct read dates

S=$(date +%s)
sleep 1
declare -a nlp
tg_nlp_borrows nlp 3
tg_submit bob -N1 --gres=gpu:h100:4 --wrap 'sleep 2' || tg_fatal "vision's short job submitted"
short=$TG_JOB
tg_wait_state "$short" COMPLETED 30 || tg_fatal "vision's short job completes"
tg_submit bob -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "vision's reclaiming job submitted"
vision=$TG_JOB
tg_wait_state "$vision" RUNNING 15 || tg_fatal "vision's job runs"
tg_wait_state "${nlp[3]}" PENDING 10 || tg_fatal "nlp's borrowed job is requeued"
sleep 2
scancel "${nlp[@]}" "$vision"
for job in "${nlp[1]}" "${nlp[2]}" "${nlp[3]}" "$vision"; do tg_wait_state "$job" CANCELLED 20; done
sleep 1
E=$(date +%s)
start=$(stamp "$S") end=$(stamp "$E")

sacct_text=$(SLURM_TIME_FORMAT=%s sacct -aDX -n -P -S "$start" -E "$end" -o JobID,Submit,Start,End,NodeList,AllocTRES)
awk '{print "    sacct: " $0}' <<<"$sacct_text"
# "jobs gpu_seconds wait_sum": per job its first submission, and its last run that got nodes.
expected=$(awk -F'|' '
  function gpus(alloc,   n, i, kv) {
    n = split(alloc, kv, ",")
    for (i = 1; i <= n; i++) if (index(kv[i], "gres/gpu:h100=") == 1) return substr(kv[i], 15) + 0
    return 0
  }
  {
    id = $1
    if (!(id in submit) || $2 < submit[id]) submit[id] = $2
    if ($5 == "None assigned" || $4 + 0 <= $3 + 0 || gpus($6) == 0) next
    if (!(id in last) || $3 + 0 >= last[id]) { last[id] = $3; dur[id] = $4 - $3; g[id] = gpus($6) }
  }
  END { for (id in last) { n++; s += g[id] * dur[id]; w += last[id] - submit[id] }; printf "%d %d %d\n", n, s, w }' \
  <<<"$sacct_text")
read -r jobs gpu_seconds wait_sum <<<"$expected"
tg_log "expected from sacct: $jobs jobs, $gpu_seconds GPU-seconds, waits summing to $wait_sum s"

tg_run "$TG_TASKGOV" simulate --from-sacct --start "$start" --end "$end" --gpu-type h100 --format json
tg_assert_eq "simulate --from-sacct exits 0 ($TG_ERR)" 0 "$TG_RC"
summary=$(jq -r '[.regimes.fifo.jobs, (.regimes.fifo.delivered_gpu_hours * 3600 | round),
                  (.fifo_vs_observed.observed_wait_s.mean * .fifo_vs_observed.jobs | round)] | join(" ")' <<<"$TG_OUT")
tg_assert_eq "the replay holds every job that ran, its GPUs, run time and observed wait" \
  "$jobs $gpu_seconds $wait_sum" "$summary"
tg_assert_eq "five jobs ran in the window: nlp's three (one of them reclaimed) and vision's two" \
  5 "$jobs"
for regime in fifo static taskgov; do
  tg_assert_eq "$regime finishes every job" "$jobs" "$(jq -r ".regimes.$regime.finished" <<<"$TG_OUT")"
done
tg_assert_eq "the replay runs on the two H100 nodes" "16" "$(jq -r '.regimes.fifo.capacity_gpus' <<<"$TG_OUT")"
tg_assert_match "the teams are the policy's" '^nlp,vision$' \
  "$(jq -r '[.regimes.taskgov.teams[].team] | join(",")' <<<"$TG_OUT")"

tg_assert_error "simulate --from-sacct without --end says what it needs" 2 "--from-sacct needs --start DATE and --end DATE" \
  "$TG_TASKGOV" simulate --from-sacct --start "$start" --gpu-type h100
tg_done
