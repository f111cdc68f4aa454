#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The decision records (taskgov_plugins(8), DECISION RECORDS) on the borrowing scenario, in the
# default place next to slurmctld.log: the policy load, accepted and refused submissions, the
# start of nlp's borrowed job, vision's reclaim with both teams' numbers, nlp's limit falling
# back to its quota, the victim's band, and a refused reload. `taskgov explain` shows the
# victim's numbers from the records. Then the records go to /dev/full and to a path under a
# file: slurmctld's log says so once each, and slurmctld carries on.
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '' "$TG_BORROWING_TEAMS"
audit=$TG_AUDIT
policy=$TASKGOV_CLUSTER_DIR/etc/taskgov.json
H=gres/gpu:h100


tg_assert_eq "the policy's load is recorded in the default place" "loaded $policy 2" \
  "$(jq -r 'select(.event == "policy") | "\(.outcome) \(.file) \(.teams)"' "$audit" | tail -1)"

tg_audit_mark
declare -a nlp
tg_nlp_borrows nlp 3
tg_assert_fails "nlp's job beyond quota + borrow cap is refused" \
  runuser -u alice -- sbatch -o /dev/null --gres=gpu:h100:16 --wrap true

alice=$(id -u alice)
tg_assert_eq "three accepted submissions of alice in class experimentation, asking 4 H100" \
  "3 accepted nlp experimentation 4" \
  "$(tg_audit_since ".event == \"submit\" and .uid == $alice and .outcome == \"accepted\"" |
     jq -rs '"\(length) \(.[0].outcome) \(.[0].team) \(.[0].class) \(.[0].asks["'$H'"])"')"
refused=$(tg_audit_wait "the refusal is recorded" '.event == "submit" and .outcome == "refused"')
tg_assert_eq "the refusal names the rule, the user and the account" \
  "beyond-quota-and-borrow-cap $alice nlp null" "$(jq -r '"\(.rule) \(.uid) \(.account) \(.job)"' <<<"$refused")"
tg_assert_contains "the refusal keeps the message the user saw, with its numbers" "16" \
  "$(jq -r .message <<<"$refused")"
start=$(tg_audit_wait "the borrowed job's start is recorded" ".event == \"start\" and .job == ${nlp[3]}")
tg_assert_eq "nlp's third job started on 4 borrowed H100 (nlp: used 12, quota 8)" "4 12 8" \
  "$(jq -r '"\(.borrowed["'$H'"]) \(.teams.nlp.used["'$H'"]) \(.teams.nlp.quota["'$H'"])"' <<<"$start")"
tg_assert_eq "nlp's first job started within quota" "{}" \
  "$(tg_audit_since ".event == \"start\" and .job == ${nlp[1]}" | jq -c .borrowed)"

tg_log "vision reclaims its quota"
tg_audit_mark
tg_submit bob -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "vision's job submitted"
vision=$TG_JOB
tg_wait_state "$vision" RUNNING 15
preemption=$(tg_audit_wait "the reclaim is recorded" '.event == "preemption"')
tg_assert_eq "the record: victim, preemptor, reason, path" \
  "${nlp[3]} nlp $vision vision reclaim scheduler enforce" \
  "$(jq -r '"\(.victim.job) \(.victim.team) \(.preemptor.job) \(.preemptor.team) \(.reason) \(.by) \(.mode)"' <<<"$preemption")"
tg_assert_eq "the victim held 4 H100, all borrowed; vision asked for 8" "4 4 8" \
  "$(jq -r '"\(.victim.holds["'$H'"]) \(.victim.borrowed["'$H'"]) \(.preemptor.asks["'$H'"])"' <<<"$preemption")"
tg_assert_eq "nlp at that moment: quota 8, used 12, borrowed 4, limit 12" "8 12 4 12" \
  "$(jq -r '.teams.nlp | "\(.quota["'$H'"]) \(.used["'$H'"]) \(.borrowed["'$H'"]) \(.limit["'$H'"])"' <<<"$preemption")"
tg_assert_eq "vision at that moment: quota 8, used 0, lent 4" "8 0 4" \
  "$(jq -r '.teams.vision | "\(.quota["'$H'"]) \(.used["'$H'"]) \(.lent["'$H'"])"' <<<"$preemption")"
limit=$(tg_audit_wait "nlp's limit change is recorded" '.event == "limit" and .team == "nlp"')
tg_assert_eq "nlp's limit falls from 12 to its quota of 8 H100" "12 8" \
  "$(jq -r '"\(.from["'$H'"]) \(.to["'$H'"])"' <<<"$limit")"
band=$(tg_audit_wait "the requeued victim's band is recorded" ".event == \"band\" and .job == ${nlp[3]}")
tg_assert_eq "the victim waits blocked on H100: nothing left to borrow" "blocked $H" \
  "$(jq -r '"\(.to) \(.holding)"' <<<"$band")"

tg_run "$TG_TASKGOV" explain "${nlp[3]}"
tg_assert_eq "taskgov explain on the victim exits 0" 0 "$TG_RC"
tg_assert_contains "explain names the preemptor and the reason" \
  "by job $vision of team vision, for reclaim: its team took back quota it had lent." "$TG_OUT"
tg_assert_contains "explain gives the numbers at that moment from the records" \
  "vision held 0 $H against its quota of 8 (4 lent to others); nlp held 12 $H against its quota of 8 (4 borrowed)." \
  "$TG_OUT"
tg_assert_contains "explain says what the two jobs asked and held" \
  "job $vision asked for 8 $H; job ${nlp[3]} held 4 $H, all of it borrowed;" "$TG_OUT"

tg_log "a refused reload is recorded"
tg_audit_mark
good=$(cat "$policy")
printf '{"cluster": {"priority_classes": []}, "teams": []}\n' >"$policy"
scontrol reconfigure
refusal=$(tg_audit_wait "the refused reload is recorded" '.event == "policy" and .outcome == "refused"')
tg_assert_contains "the record names file, line and column" "$policy:1:" "$(jq -r .error <<<"$refusal")"
# 24.11 restarts slurmctld at a reconfigure: the last good policy then comes back from its copy.
in_force=$(jq -r .in_force <<<"$refusal")
saved="$(scontrol show config | awk '$1 == "StateSaveLocation" { print $3 }')/taskgov-last-good.json"
[ "$in_force" != "$saved" ] || in_force=$policy
tg_assert_eq "the record says which policy stays in force" "$policy" "$in_force"

# unwritable NAME PATH REASON: the records go to PATH; slurmctld's log says so exactly once
# while decisions keep coming, and slurmctld answers.
unwritable() {
  local name=$1 path=$2 reason=$3 lines
  tg_log_mark
  jq --arg p "$path" '.cluster.audit_log = $p' <<<"$good" >"$policy"
  scontrol reconfigure
  for _ in 1 2 3; do tg_submit alice --gres=gpu:h100:1 --wrap true || tg_fail "a job submitted ($name)"; done
  sleep 3
  lines=$(tg_log_since | grep -c "audit log $path: $reason")
  tg_assert_eq "$name: slurmctld's log says so once" 1 "$lines"
  tg_assert_ok "$name: slurmctld keeps answering" scontrol ping
  tg_wait_state "$TG_JOB" COMPLETED 20 && tg_pass "$name: slurmctld keeps scheduling (the last job ran)"
}
tg_clean_slate   # room for the jobs below
unwritable "a full disk (/dev/full)" /dev/full "cannot write"
unwritable "a folder that is a file" "$policy/taskgov-audit.log" "cannot open"
tg_done
