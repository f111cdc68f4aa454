#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `taskgov report` over a window of a few seconds with borrowing and a reclaim in it: nlp runs
# three 4-H100 jobs (one on vision's idle quota) from before the window; in it, vision runs a
# short 4-H100 job, then an 8-H100 job that reclaims nlp's borrowed job; a fourth nlp job is
# cancelled while pending. The totals in json, csv and table (resource-seconds within quota and
# borrowed, jobs, starts, waits, preemptions suffered and caused) are checked against figures
# computed here from sacct's text output, and against what the timeline itself implies.
#
# sreport is not used: it reads slurmdbd's hourly rollups, and a window of seconds inside the
# current hour has not been rolled up (sreport prints nothing for it). The reference is what
# taskgov(1) defines the totals as: sacct -aDX's AllocTRES times each run's time clipped to the
# window.
. "$(dirname "$0")/lib.sh"

[ -x "$TG_TASKGOV" ] || tg_skip "taskgov is not built"
tg_governed_scenario '' "$TG_BORROWING_TEAMS"
H=gres/gpu:h100
stamp() { date -d "@$1" +%Y-%m-%dT%H:%M:%S; }   # as taskgov report and sacct read dates

declare -a nlp
tg_nlp_borrows nlp 3
tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 600' || tg_fatal "nlp's fourth job submitted"
nlp[4]=$TG_JOB
sleep 1
S=$(date +%s)   # nlp's jobs started before the window: they count from S on, not as starts in it
sleep 1
scancel "${nlp[4]}"   # never ran: neither a job of the window nor a start
tg_submit bob -N1 --gres=gpu:h100:4 --wrap 'sleep 2' || tg_fatal "vision's short job submitted"
short=$TG_JOB
tg_wait_state "$short" COMPLETED 20 || tg_fatal "vision's short job completes"
tg_submit bob -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "vision's reclaiming job submitted"
vision=$TG_JOB
tg_wait_state "$vision" RUNNING 15 || tg_fatal "vision's job runs"
tg_wait_state "${nlp[3]}" PENDING 10 || tg_fatal "nlp's borrowed job is requeued"
sleep 2
E=$(date +%s)   # the jobs still running are cancelled after the window: they count up to E
sleep 1
scancel "${nlp[@]}" "$vision"
for job in "${nlp[1]}" "${nlp[2]}" "${nlp[3]}" "$vision"; do tg_wait_state "$job" CANCELLED 20; done
start=$(stamp "$S") end=$(stamp "$E")
tg_log "window [$start, $end): $((E - S)) s"

# The preemption trail reaches slurmdbd's record of the preempted run a cycle or two later.
records() {
  SLURM_TIME_FORMAT=%s sacct -aDX -n -P -S "$start" -E "$end" \
    -o JobID,Account,State,Submit,Start,End,NodeList,AllocTRES,AdminComment
}
for _ in $(seq 1 75); do
  grep -q "^${nlp[3]}|nlp|PREEMPTED|.*preempted_by=$vision;reason=reclaim" <<<"$(records)" && break
  sleep 0.2
done
sacct_text=$(records)
awk '{print "    sacct: " $0}' <<<"$sacct_text"
tg_assert_match "sacct: the reclaimed run ended in the window, with its trail" \
  "^${nlp[3]}\|nlp\|PREEMPTED\|[0-9]+\|[0-9]+\|([0-9]+)\|h100-[12]\|.*preempted_by=$vision;reason=reclaim" \
  "$(grep "^${nlp[3]}|nlp|PREEMPTED|" <<<"$sacct_text")"
P=$(awk -F'|' -v j="${nlp[3]}" '$1 == j && $3 == "PREEMPTED" {print $6}' <<<"$sacct_text")
read -r short_start short_end < <(awk -F'|' -v j="$short" '$1 == j {print $5, $6}' <<<"$sacct_text")
vision_start=$(awk -F'|' -v j="$vision" '$1 == j && $7 != "None assigned" {print $5}' <<<"$sacct_text")

# expected: per team, "resource seconds within_quota borrowed" lines for cpu and gres/gpu:h100,
# then "jobs started wait_sum suffered_reclaim suffered_total caused_reclaim caused_total", then
# the same for TOTAL: the rules of taskgov(1) applied to sacct's text output.
expected() {
  awk -F'|' -v S="$S" -v E="$E" '
    function num(t) { return t ~ /^[0-9]+$/ ? t + 0 : 0 }
    function count(alloc, key,   n, i, kv) {
      n = split(alloc, kv, ",")
      for (i = 1; i <= n; i++) if (index(kv[i], key "=") == 1) return substr(kv[i], length(key) + 2) + 0
      return 0
    }
    function borrowed(comment, key,   list, n, i, item, at) {
      if (!match(comment, /borrowed=[^;]*/)) return 0
      list = substr(comment, RSTART + 9, RLENGTH - 9)
      n = split(list, item, "+")
      for (i = 1; i <= n; i++) {
        at = match(item[i], /:[^:]*$/)
        if (substr(item[i], 1, at - 1) == key) return substr(item[i], at + 1) + 0
      }
      return 0
    }
    {
      id = $1; start = num($5); stop = num($6); comment = $9
      team = match(comment, /team=[^;]*/) ? substr(comment, RSTART + 5, RLENGTH - 5) : $2
      team_of[id] = team; teams[team] = 1
      lo = start > S ? start : S; hi = stop < E ? stop : E
      held = start > 0 && hi > lo ? hi - lo : 0
      for (r = 1; r <= 2; r++) {
        key = r == 1 ? "cpu" : "gres/gpu:h100"
        c = count($8, key); b = borrowed(comment, key); if (b > c) b = c
        sec[team, key] += c * held; bor[team, key] += b * held
      }
      started = start >= S && start < E && $7 != "None assigned"
      if (held > 0 || started) if (!((team, id) in seen)) { seen[team, id] = 1; jobs[team]++ }
      if (started) { starts[team]++; waits[team] += start - num($4) }
      if ($3 == "PREEMPTED" && stop >= S && stop < E) {
        reason = "unrecorded"; by = ""
        rest = comment
        while (match(rest, /preempted_by=[0-9]+;reason=[a-z-]+/)) {
          pair = substr(rest, RSTART, RLENGTH); rest = substr(rest, RSTART + RLENGTH)
          split(pair, kv, /[=;]/); by = kv[2]; reason = kv[4]
        }
        suffered[team, reason]++; suffered_all[team]++
        victims[++nvictims] = by SUBSEP reason
      }
    }
    END {
      for (v = 1; v <= nvictims; v++) {
        split(victims[v], pr, SUBSEP)
        caused[team_of[pr[1]], pr[2]]++; caused_all[team_of[pr[1]]]++
      }
      for (team in teams) {
        for (r = 1; r <= 2; r++) {
          key = r == 1 ? "cpu" : "gres/gpu:h100"
          printf "%s %s %d %d %d\n", team, key, sec[team, key], sec[team, key] - bor[team, key], bor[team, key]
          T[key] += sec[team, key]; TB[key] += bor[team, key]
        }
        printf "%s jobs %d %d %d %d %d %d %d\n", team, jobs[team], starts[team], waits[team],
          suffered[team, "reclaim"], suffered_all[team], caused[team, "reclaim"], caused_all[team]
        tj += jobs[team]; ts += starts[team]; tw += waits[team]
        tsr += suffered[team, "reclaim"]; tsa += suffered_all[team]; tcr += caused[team, "reclaim"]; tca += caused_all[team]
      }
      for (r = 1; r <= 2; r++) {
        key = r == 1 ? "cpu" : "gres/gpu:h100"
        printf "TOTAL %s %d %d %d\n", key, T[key], T[key] - TB[key], TB[key]
      }
      printf "TOTAL jobs %d %d %d %d %d %d %d\n", tj, ts, tw, tsr, tsa, tcr, tca
    }' <<<"$sacct_text"
}
want=$(expected)
awk '{print "    expected: " $0}' <<<"$want"
want_line() { grep "^$1 $2 " <<<"$want" | cut -d' ' -f3-; }

# ---------------------------------------------------------------- json
tg_run "$TG_TASKGOV" report --start "$start" --end "$end" --format json
tg_assert_eq "report --format json exits 0" "0 ''" "$TG_RC '$TG_ERR'"
json=$TG_OUT
tg_assert_eq "json: the window" "$S $E $((E - S))" "$(jq -r '.window | "\(.start) \(.end) \(.seconds)"' <<<"$json")"
# entry SELECTOR: a team's or the totals' figures in the expected() form, from the JSON.
json_usage() {
  jq -r --arg r "$2" "$1"' | .resources[$r] // {} |
    "\(.seconds // 0) \(.within_quota_seconds // 0) \(.borrowed_seconds // 0)"' <<<"$json"
}
json_jobs() {
  jq -r "$1"' | [.jobs, .started, ((.wait_mean_seconds // 0) * .started | round),
    .preemptions_suffered.reclaim, .preemptions_suffered.total,
    .preemptions_caused.reclaim, .preemptions_caused.total] | map(tostring) | join(" ")' <<<"$json"
}
for team in nlp vision; do
  sel=".teams[] | select(.team == \"$team\")"
  for r in cpu "$H"; do
    tg_assert_eq "json: $team's $r seconds, within quota, borrowed agree with sacct" \
      "$(want_line "$team" "$r")" "$(json_usage "$sel" "$r")"
  done
  tg_assert_eq "json: $team's jobs, starts, wait sum, reclaims suffered, all suffered, reclaims caused, all caused agree with sacct" \
    "$(want_line "$team" jobs)" "$(json_jobs "$sel")"
done
for r in cpu "$H"; do
  tg_assert_eq "json: total $r agrees with sacct" "$(want_line TOTAL "$r")" "$(json_usage .totals "$r")"
done
tg_assert_eq "json: total jobs, starts, waits, preemptions agree with sacct" "$(want_line TOTAL jobs)" "$(json_jobs .totals)"

# What the timeline implies, without sacct's arithmetic: nlp's first two jobs hold 4 H100 each
# through the window, its third 4 borrowed H100 until the reclaim at P; vision's short job 4
# H100 within quota, then its 8-H100 job from its start to E.
tg_assert_eq "json: nlp's H100-seconds: 8 x (E - S) within quota + 4 x (P - S) borrowed" \
  "$((8 * (E - S) + 4 * (P - S))) $((8 * (E - S))) $((4 * (P - S)))" \
  "$(json_usage '.teams[] | select(.team == "nlp")' "$H")"
tg_assert_eq "json: nlp's CPU-seconds: 96 CPUs per job, the third one's borrowed" \
  "$((192 * (E - S) + 96 * (P - S))) $((192 * (E - S))) $((96 * (P - S)))" \
  "$(json_usage '.teams[] | select(.team == "nlp")' cpu)"
vision_h100=$((4 * (short_end - short_start) + 8 * (E - vision_start)))
tg_assert_eq "json: vision's H100-seconds, all within quota" "$vision_h100 $vision_h100 0" \
  "$(json_usage '.teams[] | select(.team == "vision")' "$H")"
tg_assert_eq "json: nlp: 3 jobs (not the cancelled pending one), no start in the window, one reclaim suffered" \
  "3 0 1 1 0 0" "$(jq -r '.teams[] | select(.team == "nlp") | [.jobs, .started,
    .preemptions_suffered.reclaim, .preemptions_suffered.total, .preemptions_caused.reclaim,
    .preemptions_caused.total] | map(tostring) | join(" ")' <<<"$json")"
tg_assert_eq "json: vision: 2 jobs, both started in the window, one reclaim caused" \
  "2 2 0 0 1 1" "$(jq -r '.teams[] | select(.team == "vision") | [.jobs, .started,
    .preemptions_suffered.reclaim, .preemptions_suffered.total, .preemptions_caused.reclaim,
    .preemptions_caused.total] | map(tostring) | join(" ")' <<<"$json")"
tg_assert_eq "json: hours are seconds / 3600" "true" \
  "$(jq '[.teams[], .totals | .resources[] | ((.hours - .seconds / 3600) | fabs) < 1e-9] | all' <<<"$json")"

# ---------------------------------------------------------------- csv
tg_run "$TG_TASKGOV" report --start "$start" --end "$end" --format csv
tg_assert_eq "report --format csv exits 0" 0 "$TG_RC"
csv=$TG_OUT
tg_assert_eq "csv: the header" \
  "team,resource,hours,within_quota_hours,borrowed_hours,jobs,started,wait_mean_seconds,wait_p95_seconds,preempted,preempted_reclaim,preempted_priority,preempted_fair_share,caused,caused_reclaim,caused_priority,caused_fair_share" \
  "$(head -1 <<<"$csv")"
for team in nlp vision TOTAL; do
  read -r jobs starts _ sr sa cr ca <<<"$(want_line "$team" jobs)"
  read -r sec within borrowed <<<"$(want_line "$team" "$H")"
  row=$(awk -F, -v t="$team" -v r="$H" '$1 == t && $2 == r' <<<"$csv")
  tg_assert_eq "csv: $team's $H hours, within quota, borrowed, jobs, started, preempted (reclaim), caused (reclaim)" \
    "$(awk -v s="$sec" -v w="$within" -v b="$borrowed" 'BEGIN {printf "%.4f %.4f %.4f", s / 3600, w / 3600, b / 3600}') $jobs $starts $sa $sr $ca $cr" \
    "$(awk -F, '{print $3, $4, $5, $6, $7, $10, $11, $14, $15}' <<<"$row")"
done

# ---------------------------------------------------------------- table
tg_run "$TG_TASKGOV" report --start "$start" --end "$end"
tg_assert_eq "report (table) exits 0" 0 "$TG_RC"
table=$TG_OUT
for team in nlp vision TOTAL; do
  read -r sec within borrowed <<<"$(want_line "$team" "$H")"
  tg_assert_eq "table: $team's $H hours, in quota, borrowed" \
    "$(awk -v s="$sec" -v w="$within" -v b="$borrowed" 'BEGIN {printf "%.2f %.2f %.2f", s / 3600, w / 3600, b / 3600}')" \
    "$(tg_table_row "$table" "^TEAM +RESOURCE +HOURS" "$team" "$H")"
  read -r jobs starts _ sr sa cr ca <<<"$(want_line "$team" jobs)"
  tg_assert_eq "table: $team's jobs, started, preempted, caused" "$jobs $starts $sa $ca" \
    "$(tg_table_row "$table" "^TEAM +JOBS" "$team" | awk '{print $1, $2, $(NF - 1), $NF}')"
  tg_assert_eq "table: $team's reclaims suffered/caused" "$sr/$cr" \
    "$(tg_table_row "$table" "^TEAM +reclaim" "$team" | cut -d' ' -f1)"
done

# ---------------------------------------------------------------- --team
tg_run "$TG_TASKGOV" report --start "$start" --end "$end" --team vision --format json
tg_assert_eq "--team vision: only vision, with the reclaim it caused" \
  "vision $(want_line vision "$H") 1" \
  "$(jq -r '[(.teams | map(.team) | join(",")), (.totals.resources["gres/gpu:h100"] |
    .seconds, .within_quota_seconds, .borrowed_seconds), .totals.preemptions_caused.reclaim] |
    map(tostring) | join(" ")' <<<"$TG_OUT")"

# ---------------------------------------------------------------- bad input
policy=$TASKGOV_CLUSTER_DIR/etc/taskgov.json
tg_assert_error "--start garbage: exit 2, says which forms a date takes" 2 \
  "'yesterday-ish garbage' is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] (local time) or now" \
  "$TG_TASKGOV" report --start "yesterday-ish garbage" --end "$end"
tg_assert_error "--end before --start: exit 2" 2 "--end $start is not after --start $end" \
  "$TG_TASKGOV" report --start "$end" --end "$start"
tg_assert_error "an unknown --team: exit 2, lists the teams" 2 "no team 'nosuch' in $policy; teams: nlp, vision" \
  "$TG_TASKGOV" report --start "$start" --end "$end" --team nosuch
tg_assert_error "an unknown --format: exit 2, lists the formats" 2 "--format: xml not in {table,json,csv}" \
  "$TG_TASKGOV" report --start "$start" --end "$end" --format xml
tg_assert_error "no --start: exit 2" 2 "--start is required" "$TG_TASKGOV" report --end "$end"
tg_assert_error "an unknown --cluster: exit 2" 2 "slurmdbd knows no cluster 'nosuch'" \
  "$TG_TASKGOV" report --cluster nosuch --start "$start" --end "$end"
tg_done
