#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The soak of issue 9: a seeded random sequence of operations against the live local cluster
# (submit in every request form, update Account=/QOS=/Gres=, cancel, hold, release, requeue,
# reconfigure with the other of two policies, slurmctld restarts), with invariants checked
# after every step from scontrol, squeue and sacct alone, never from taskgov's own state.
#
# Usage (as root): scripts/soak.sh [--seed N] [--ops N] [--restarts N] [--sanitize]
#   --seed N       the sequence of operations and their parameters (default 1); which live job
#                  an operation hits depends on timing, so only the sequence is reproducible
#   --ops N        operations, restarts not counted (default 2000)
#   --restarts N   slurmctld restarts spread evenly over the run (default 10)
#   --sanitize     run against the cluster with the ASan+UBSan plugins (scripts/cluster.sh
#                  start --sanitize); otherwise the cluster is used in the mode it runs in
#
# Starts the cluster when it is not running and leaves it running (hold /work/cluster.lock).
# Ends with the counts (operations by kind, restarts, invariant checks, violations) and exits
# 1 on any violation. The invariants, and why they are these, are in RELIABILITY.md.
set -uo pipefail

seed=1 ops=2000 restarts=10 sanitize=
while [ $# -gt 0 ]; do
  case $1 in
    --seed) seed=$2; shift 2 ;;
    --ops) ops=$2; shift 2 ;;
    --restarts) restarts=$2; shift 2 ;;
    --sanitize) sanitize=--sanitize; shift ;;
    *) echo "usage: $0 [--seed N] [--ops N] [--restarts N] [--sanitize]" >&2; exit 2 ;;
  esac
done
for n in "$seed" "$ops" "$restarts"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "soak: --seed, --ops and --restarts take a number, not '$n'" >&2; exit 2; }
done

# Every start of the cluster below (the policy's, the restore at exit) keeps the sanitizer.
[ -z "$sanitize" ] || export TASKGOV_SANITIZE=1
. "$(dirname "$0")/../tests/integration/lib.sh"

tg_cluster_mode on
tg_clean_slate

# ------------------------------------------------------------------ the two policies
# They differ in quotas, borrow limits and sharing, so every reconfigure lowers some team's
# limits below what it holds and raises others'. quota and ceiling (quota + borrow cap) per
# team and GPU type are restated here for the invariants, in the resources' TRES names.
policy() {   # NAME NLP-H100 NLP-BORROW% VISION-H100 VISION-A100 VISION-BORROW% SPEECH-A100 SPEECH-SHARING
  cat <<EOF
{"cluster": {"priority_classes": [{"name": "inference", "weight": 100},
                                  {"name": "training", "weight": 50},
                                  {"name": "experimentation", "weight": 10}],
             "admission": "task-ranking", "idle_compute": "fair-share",
             "unmapped_accounts": "allow", "cycle_seconds": 2},
 "teams": [
  {"name": "nlp", "account": "nlp", "fair_share_weight": 10, "sharing": "lend-and-borrow",
   "borrow_limit_percent": $3, "preempt_team_tasks": "lower-priority",
   "quota": [{"gres": "gpu:h100", "count": $2}]},
  {"name": "vision", "account": "vision", "fair_share_weight": 10, "sharing": "lend-and-borrow",
   "borrow_limit_percent": $6,
   "quota": [{"gres": "gpu:h100", "count": $4}, {"gres": "gpu:a100", "count": $5}]},
  {"name": "speech", "account": "speech", "fair_share_weight": 5, "sharing": "$8",
   "quota": [{"gres": "gpu:a100", "count": $7}]}
 ]}
EOF
}
declare -A POLICY_FILE QUOTA CEILING
POLICY_FILE[A]=$TASKGOV_CLUSTER_DIR/jobs/soak-policy-A.json
POLICY_FILE[B]=$TASKGOV_CLUSTER_DIR/jobs/soak-policy-B.json
policy A 6 50 6 4 100 4 lend >"${POLICY_FILE[A]}"
policy B 4 100 8 2 50 2 lend-and-borrow >"${POLICY_FILE[B]}"
# JSON objects: team -> resource -> count
QUOTA[A]='{"nlp":{"gres/gpu:h100":6},"vision":{"gres/gpu:h100":6,"gres/gpu:a100":4},"speech":{"gres/gpu:a100":4}}'
CEILING[A]='{"nlp":{"gres/gpu:h100":9},"vision":{"gres/gpu:h100":12,"gres/gpu:a100":8},"speech":{"gres/gpu:a100":4}}'
QUOTA[B]='{"nlp":{"gres/gpu:h100":4},"vision":{"gres/gpu:h100":8,"gres/gpu:a100":2},"speech":{"gres/gpu:a100":2}}'
CEILING[B]='{"nlp":{"gres/gpu:h100":8},"vision":{"gres/gpu:h100":12,"gres/gpu:a100":3},"speech":{"gres/gpu:a100":4}}'
TEAM_OF_ACCOUNT='{"nlp":"nlp","nlp-interns":"nlp","vision":"vision","speech":"speech"}'

tg_policy "$(cat "${POLICY_FILE[A]}")"
current=A
switch_time=$(date +%s)
POLICY_LOG=$TG_JOBDIR/policy-switches   # "EPOCH NAME", for the preemption check at the end
echo "$switch_time A" >"$POLICY_LOG"

cat >"$TG_JOBDIR/job.sh" <<'EOF'
#!/bin/sh
sleep "${1:-5}"
EOF
chmod 0755 "$TG_JOBDIR/job.sh"

# ------------------------------------------------------------------ bookkeeping
declare -A OPS=() OKS=()
SUBMITTED=()             # every job id Slurm accepted (array and hetjob ids once)
checks=0 violations=0 restarts_done=0 limit_restores_equal=0 worst_restore=0
VIOLATION_LOG=$TG_JOBDIR/violations
: >"$VIOLATION_LOG"

violation() {
  violations=$((violations + 1))
  printf '[%s] VIOLATION (%s, op %s): %s\n' "$(date +%T)" "$1" "$step" "$2" | tee -a "$VIOLATION_LOG"
}
check() {   # NAME: count one invariant check
  checks=$((checks + 1))
}

rand() { echo $((RANDOM % $1)); }                 # 0..N-1, from the seeded sequence
pick() { local -a a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }

# ------------------------------------------------------------------ what Slurm says
# One sample: the jobs squeue knows (id, account, state, QOS, AdminComment, TRES held or asked,
# start) and each team account's GrpTRES in force in slurmctld.
SAMPLE=$TG_JOBDIR/sample.json
PREVIOUS=$TG_JOBDIR/previous.json
echo '{"time":0,"jobs":[],"limits":{}}' >"$PREVIOUS"

grp_tres_json() {
  scontrol show assoc_mgr flags=assoc 2>/dev/null | awk '
    /^ClusterName=/ { acct = ""; if (/ UserName= /) { match($0, / Account=[^ ]*/); acct = substr($0, RSTART + 9, RLENGTH - 9) } }
    acct != "" && /GrpTRES=/ { match($0, /GrpTRES=[^ ]*/); print acct "\t" substr($0, RSTART + 8, RLENGTH - 8); acct = "" }' |
    jq -c -R -s --argjson teams "$TEAM_OF_ACCOUNT" '
      [split("\n")[] | select(length > 0) | split("\t") | select($teams[.[0]] == .[0])
       | {key: .[0], value: (.[1] | split(",") | map(select(test("=[0-9]+"))
            | capture("^(?<k>[^=]+)=(?<v>[0-9]+)") | {key: .k, value: (.v | tonumber)}) | from_entries)}]
      | from_entries'
}

take_sample() {
  local limits
  squeue --json >"$SAMPLE.squeue" 2>/dev/null || return 1
  limits=$(grp_tres_json) || return 1
  jq --argjson limits "$limits" --argjson now "$(date +%s)" --argjson teams "$TEAM_OF_ACCOUNT" '
    def tres: if . == null or . == "" then {} else split(",") | map(capture("^(?<k>[^=]+)=(?<v>.*)$")
      | {key: .k, value: (.v | tonumber? // 0)}) | from_entries end;
    {time: $now, limits: $limits,
     jobs: [.jobs[] | {id: .job_id, array: .array_job_id, het: .het_job_id,
                       eligible: ((.eligible_time // 0) <= $now),
                       account, team: ($teams[.account] // null), state: .job_state,
                       qos, comment: (.admin_comment // ""), start: .start_time,
                       held: (.tres_alloc_str | tres), asked: (.tres_req_str | tres)}]}' \
    "$SAMPLE.squeue" >"$SAMPLE"
}

# ------------------------------------------------------------------ invariants per step
# (a) limits: a job that started since the last sample must have fit, with every job of its
#     team that was running at both samples, under the larger of the team's GrpTRES at the two
#     samples; and no job started after the policy in force was loaded (2 s for the cycle to
#     write its limits) may take its team past that policy's quota + borrow cap. A team may hold
#     more than its limit: a cycle or a reconfigure lowers a limit below what running jobs
#     hold, and only preemption (or their end) brings it down, so "use <= GrpTRES" does not hold.
# (c) every job of a team's account is stamped team=<its team>;class=<a class> and asks for or
#     holds a typed GPU whenever it asks for or holds gres/gpu.
# (d) the stamp names the team of the job's account as Slurm has it (Account= updates included).
check_step() {
  local out
  out=$(jq -r -n --slurpfile cur "$SAMPLE" --slurpfile prev "$PREVIOUS" \
        --argjson ceiling "${CEILING[$current]}" --argjson switch "$switch_time" '
    $cur[0] as $c | $prev[0] as $p
    | ($p.jobs | map(select(.state == "RUNNING") | "\(.id)@\(.start)")) as $before
    | [$c.jobs[] | select(.state == "RUNNING" and .team != null)] as $running
    | (
      # (a) dynamic limit
      [ $running | group_by(.team)[] | . as $jobs | $jobs[0].team as $t
        | ($c.limits[$t] // {}) as $lim | ($p.limits[$t] // {}) as $plim
        | ($lim | keys[]) as $r | select($r | startswith("gres/gpu:"))
        | ([$lim[$r], ($plim[$r] // $lim[$r])] | max) as $bound
        | ([$jobs[] | select(("\(.id)@\(.start)" | IN($before[])) | not) | select((.held[$r] // 0) > 0)] | sort_by(.start)) as $new
        | ([$jobs[] | select("\(.id)@\(.start)" | IN($before[])) | .held[$r] // 0] | add // 0) as $base
        | foreach $new[] as $j ({sum: $base}; .sum += ($j.held[$r] // 0); {sum, j: $j})
        | select(.sum > $bound)
        | "a|team \($t): job \(.j.id) started holding \(.j.held[$r]) \($r) with \(.sum - .j.held[$r]) already held; GrpTRES \($bound)" ],
      # (a) the policy ceiling, for jobs started since it is in force
      [ $running | group_by(.team)[] | . as $jobs | $jobs[0].team as $t
        | ($ceiling[$t] // {}) | to_entries[] | .key as $r | .value as $cap
        | ($jobs | map(select((.held[$r] // 0) > 0)) | sort_by(.start)) as $holders
        | foreach $holders[] as $j ({sum: 0}; .sum += $j.held[$r]; {sum, j: $j})
        | select(.j.start > $switch + 2 and .sum > $cap)
        | "a|team \($t): job \(.j.id) started at \(.j.start) (policy switch at \($switch)) taking the team to \(.sum) \($r), past quota + borrow cap \($cap)" ],
      # (c) typed and stamped
      [ $c.jobs[] | select(.team != null and .state != "COMPLETED" and .state != "CANCELLED")
        | . as $j
        | (if ($j.comment | test("(^|[:;])team=[^;]+;class=[a-z]+")) | not
           then "c|job \($j.id) (\($j.account), \($j.state)) not stamped: AdminComment \"\($j.comment)\"" else empty end),
          ((if $j.state == "RUNNING" then $j.held else $j.asked end) as $t
           | if ($t["gres/gpu"] // 0) > 0 and ([$t | keys[] | select(startswith("gres/gpu:"))] | length) == 0
             then "c|job \($j.id) (\($j.account), \($j.state)) untyped: \($t | to_entries | map("\(.key)=\(.value)") | join(","))" else empty end) ],
      # (d) the team stamp: the team of the account Slurm has for the job
      [ $c.jobs[] | select(.team != null and .state != "COMPLETED" and .state != "CANCELLED")
        | ((.comment | capture("team=(?<t>[^;]+)").t) // "none") as $stamped
        | select($stamped != .team)
        | "d|job \(.id) (\(.account)) stamped team=\($stamped), expected \(.team)" ]
      ) | .[]' 2>&1)
  checks=$((checks + 4))
  [ -z "$out" ] && return 0
  while IFS= read -r line; do violation "${line%%|*}" "${line#*|}"; done <<<"$out"
}

ctld_alive() {
  check e
  scontrol ping 2>/dev/null | grep -q 'is UP' && return 0
  sleep 2
  scontrol ping 2>/dev/null | grep -q 'is UP' && return 0
  violation e "slurmctld does not answer scontrol ping: $(tail -n 3 "$TG_CTLD_LOG" | tr '\n' ' ')"
  return 1
}

after_step() {
  ctld_alive || return 1
  if take_sample; then
    check_step
    cp "$SAMPLE" "$PREVIOUS"
  else
    violation e "squeue --json or scontrol show assoc_mgr failed"
  fi
}

# ------------------------------------------------------------------ operations
USERS=(alice alice dave bob carol)          # alice twice: she is in two teams
declare -A ACCOUNTS=([alice]="nlp vision" [dave]="nlp-interns" [bob]="vision" [carol]="speech sandbox")
CLASSES=(inference training experimentation)

gpu_type_for() {   # ACCOUNT: a GPU type that account's team has (sandbox: any)
  case $1 in nlp|nlp-interns) echo h100 ;; speech) echo a100 ;; *) pick h100 a100 ;; esac
}

# A request form, chosen by the seeded sequence; prints sbatch options (no script).
request_form() {
  local type=$1 n
  n=$(pick 1 1 2 4)
  case $(rand 9) in
    0) echo "--gres=gpu:$type:$n" ;;
    1) echo "--gres=gpu:$n" ;;                                # untyped: typed by taskgov or refused
    2) echo "--gpus=$type:$n" ;;
    3) echo "--gpus=$n" ;;
    4) echo "-N 2 --gpus-per-node=$type:$(pick 1 2)" ;;
    5) echo "-N 2 --gres=gpu:$type:1" ;;
    6) echo "--array=0-$(pick 1 2 3) --gres=gpu:$type:$(pick 1 2)" ;;
    7) echo "--gres=gpu:$type:$n --qos=$(pick "${CLASSES[@]}")" ;;
    8) echo "--gpus-per-node=$type:$n" ;;
  esac
}

record_job() {   # ID ACCOUNT
  SUBMITTED+=("$1")
  TG_JOBS+=("$1")
}

op_submit() {
  local user acct type form secs out id kind=submit
  user=$(pick "${USERS[@]}")
  # shellcheck disable=SC2086  # the list of the user's accounts
  acct=$(pick ${ACCOUNTS[$user]})
  type=$(gpu_type_for "$acct")
  secs=$((2 + $(rand 12)))
  form=$(request_form "$type")
  case $(rand 10) in
    0) kind=submit-hetjob
       out=$(cd "$TG_JOBDIR" && runuser -u "$user" -- sbatch --parsable -A "$acct" -t 2 -o /dev/null \
             --gres="gpu:$type:$(pick 1 2)" : --gres="gpu:$type:$(pick 1 2 4)" "$TG_JOBDIR/job.sh" "$secs" 2>&1) ;;
    1) kind=submit-salloc
       # Granted or pending, salloc's first line names the job; it runs in the background.
       local err=$TG_JOBDIR/salloc.$step
       # shellcheck disable=SC2086
       (cd "$TG_JOBDIR" && timeout 150 runuser -u "$user" -- salloc -A "$acct" -t 2 $form sleep "$secs" \
          >/dev/null 2>"$err" &)
       for _ in $(seq 1 30); do grep -q 'job allocation [0-9]' "$err" 2>/dev/null && break; sleep 0.1; done
       out=$(sed -n 's/.*job allocation \([0-9]*\).*/\1/p' "$err" | head -1)
       [ -n "$out" ] || out="refused: $(head -c 300 "$err")" ;;
    *) kind=submit
       # shellcheck disable=SC2086
       out=$(cd "$TG_JOBDIR" && runuser -u "$user" -- sbatch --parsable -A "$acct" -t 2 -o /dev/null \
             $form "$TG_JOBDIR/job.sh" "$secs" 2>&1) ;;
  esac
  OPS[$kind]=$((${OPS[$kind]:-0} + 1))
  id=$(grep -Eo '^[0-9]+' <<<"$out" | tail -1)
  if [ -n "$id" ] && [[ $out != *error* || $kind == submit-salloc ]]; then
    OKS[$kind]=$((${OKS[$kind]:-0} + 1))
    record_job "$id" "$acct"
  fi
}

# A job of the queue, by the seeded sequence: STATE (RUNNING or PENDING) or any.
some_job() {
  local state=${1:-} ids
  if [ -n "$state" ]; then ids=$(jq -r --arg s "$state" '.jobs[] | select(.state == $s and .team != null) | .id' "$PREVIOUS")
  else ids=$(jq -r '.jobs[] | select(.team != null) | .id' "$PREVIOUS"); fi
  [ -n "$ids" ] || return 1
  mapfile -t ids <<<"$ids"
  echo "${ids[RANDOM % ${#ids[@]}]}"
}

op_scontrol() {   # KIND COMMAND... (counted; succeeds or fails as Slurm decides)
  local kind=$1
  shift
  OPS[$kind]=$((${OPS[$kind]:-0} + 1))
  if "$@" >/dev/null 2>&1; then OKS[$kind]=$((${OKS[$kind]:-0} + 1)); return 0; fi
  return 1
}

op_update() {
  local id acct new
  id=$(some_job PENDING) || id=$(some_job) || { op_submit; return; }
  case $(rand 4) in
    0) acct=$(jq -r --argjson id "$id" '.jobs[] | select(.id == $id) | .account' "$PREVIOUS")
       case $acct in nlp) new=vision ;; vision) new=nlp ;; speech) new=sandbox ;; sandbox) new=speech ;; *) new=$acct ;; esac
       # Only alice has nlp and vision, only carol speech and sandbox: others' updates fail.
       op_scontrol update-account scontrol update JobId="$id" Account="$new" ;;
    1) op_scontrol update-qos scontrol update JobId="$id" QOS="$(pick "${CLASSES[@]}" "")" ;;
    2) op_scontrol update-gres scontrol update JobId="$id" Gres="gpu:$(pick h100 a100):$(pick 1 2 4)" ;;
    3) op_scontrol update-gres-untyped scontrol update JobId="$id" Gres="gpu:$(pick 1 2)" ;;
  esac
}

op_reconfigure() {
  local next=A
  [ "$current" = A ] && next=B
  OPS[reconfigure]=$((${OPS[reconfigure]:-0} + 1))
  cp "${POLICY_FILE[$next]}" "$TASKGOV_CLUSTER_DIR/etc/taskgov.json"
  if scontrol reconfigure >/dev/null 2>&1; then
    OKS[reconfigure]=$((${OKS[reconfigure]:-0} + 1))
    current=$next
    switch_time=$(date +%s)
    echo "$switch_time $current" >>"$POLICY_LOG"
  else
    violation e "scontrol reconfigure failed"
  fi
}

# ------------------------------------------------------------------ restarts
# Every job keeps its team and class, and each team's GrpTRES is back within ~2 s (a cycle is
# 2 s): equal to what it was when the queue did not change meanwhile.
op_restart() {
  local before_jobs before_limits t0 i ok=0 back=- waited after_limits queue_before queue_after equal
  # A cycle first (2 s), so that the limits sampled are the queue's and not those of a cycle
  # that has not yet seen the last operation: else a restart's fresh cycle differs "for nothing".
  sleep 2.5
  take_sample
  before_jobs=$(jq -c '[.jobs[] | select(.team != null) | {id, stamp: (.comment | capture("(?<s>team=[^;]+;class=[a-z]+)").s // "")}]' "$SAMPLE")
  before_limits=$(jq -c '.limits' "$SAMPLE")
  queue_before=$(queue_fingerprint)
  "$TG_CLUSTER" restart-slurmctld >/dev/null 2>&1 || { violation e "scripts/cluster.sh restart-slurmctld failed"; return 1; }
  t0=$(now)
  restarts_done=$((restarts_done + 1))
  # Polled for 5 s: when every team's GPU limits are there again, and which teams' limits were
  # equal to before at some poll (a cycle later they may move on with the queue).
  equal='[]'
  for ((i = 0; i < 50; i++)); do
    after_limits=$(grp_tres_json)
    if [ "$(jq --argjson b "$before_limits" '. as $n | [$b | to_entries[] | .key as $a | .value | keys[]
            | select(startswith("gres/gpu:")) | select($n[$a][.] == null)] | length' <<<"$after_limits")" = 0 ]; then
      [ $ok = 1 ] || back=$(tg_secs "$t0")
      ok=1
    fi
    equal=$(jq -c --argjson b "$before_limits" --argjson e "$equal" '. as $n | $e + [$b | keys[] | select($n[.] == $b[.])] | unique' <<<"$after_limits")
    [ "$(jq --argjson b "$before_limits" '($b | keys) - . | length' <<<"$equal")" = 0 ] && break
    sleep 0.1
  done
  waited=$(tg_secs "$t0")
  check b-restart-limits
  if [ $ok = 0 ]; then
    violation restart "team limits not back 5 s after restart $restarts_done: before $before_limits, after $after_limits"
  fi
  if [ "$(jq --argjson b "$before_limits" '($b | keys) - . | length' <<<"$equal")" = 0 ]; then
    limit_restores_equal=$((limit_restores_equal + 1))
    awk -v w="$waited" -v m="$worst_restore" 'BEGIN {exit !(w > m)}' && worst_restore=$waited
  else
    take_sample
    queue_after=$(queue_fingerprint)
    if [ "$queue_after" = "$queue_before" ]; then
      violation restart "restart $restarts_done: queue unchanged but GrpTRES differs: before $before_limits, after $after_limits"
    fi
  fi
  take_sample
  check restart-stamps
  jq -r --argjson before "$before_jobs" '
    (.jobs | map({key: (.id | tostring), value: (.comment | capture("(?<s>team=[^;]+;class=[a-z]+)").s // "")}) | from_entries) as $now
    | $before[] | select($now[.id | tostring] != null and $now[.id | tostring] != .stamp)
    | "job \(.id): \(.stamp) before the restart, \($now[.id | tostring]) after"' "$SAMPLE" |
    while IFS= read -r line; do violation restart "$line"; done
  tg_log "restart $restarts_done: every team's GPU limits back in ${back}s; teams equal to before within ${waited}s: $equal"
}
# What the limits follow: the jobs, their states, and whether each pending one is eligible yet
# (a requeued job waits for its BeginTime, notes P13).
queue_fingerprint() {
  jq -c --argjson now "$(date +%s)" '[.jobs[] | "\(.id) \(.state) \(.eligible)"] | sort' "$SAMPLE"
}

# ------------------------------------------------------------------ (b) and (d) from sacct
# (b) every cross-team preemption (AdminComment preempted_by=, the audit log's records) hit a
#     team over its quota on a GPU type the victim held, at the moment of the preemption (the
#     record's time; the preempted run's End in sacct comes later, once the victim is killed):
#     the team's runs' AllocTRES from sacct -D (requeued runs included) summed at that moment.
# (d) every job id accepted is known to slurmdbd, and the stamp sacct has (AdminComment reaches
#     the database at the end of a job) names the expected team.
check_preemptions() {
  local records
  records=$(tail -n +"$((${TG_AUDIT_MARK:-0} + 1))" "$TG_AUDIT" 2>/dev/null |
            jq -c 'select(.event == "preemption" and .mode == "enforce")' 2>/dev/null)
  PREEMPTIONS=$(grep -c . <<<"$records")
  [ -n "$records" ] || return 0
  local since runs
  since=$(date -d "@$((first_time - 5))" +%Y-%m-%dT%H:%M:%S)
  runs=$(sacct -a -D -X -n -P -S "$since" -o JobIDRaw,Account,Start,End,AllocTRES,State 2>/dev/null |
         jq -R -s --argjson teams "$TEAM_OF_ACCOUNT" '
           def epoch: if test("^[0-9]{4}-") then strptime("%Y-%m-%dT%H:%M:%S") | mktime else null end;
           [split("\n")[] | select(length > 0) | split("|")
            | {id: (.[0] | tonumber? // null), team: $teams[.[1]], start: (.[2] | epoch), end: (.[3] | epoch),
               tres: (.[4] | if . == "" then {} else split(",") | map(capture("^(?<k>[^=]+)=(?<v>.*)$") | {key: .k, value: (.v | tonumber? // 0)}) | from_entries end),
               state: .[5]}
            | select(.team != null and .start != null)]')
  while IFS= read -r rec; do
    check b
    local victim preemptor vteam pteam reason
    victim=$(jq -r '.victim.job' <<<"$rec"); reason=$(jq -r '.reason' <<<"$rec")
    vteam=$(jq -r '.victim.team // empty' <<<"$rec"); pteam=$(jq -r '.preemptor.team // empty' <<<"$rec")
    preemptor=$(jq -r '.preemptor.job' <<<"$rec")
    [ -n "$vteam" ] && [ "$vteam" = "$pteam" ] && continue        # in-team priority
    local verdict
    verdict=$(jq -r --argjson v "$victim" --argjson t "$(jq '.time | sub("\\.[0-9]+"; "") | sub("\\+00:00$"; "Z") | fromdateiso8601' <<<"$rec")" \
                    --argjson quotas "$(quotas_json)" --slurpfile log <(policy_log_json) '
      . as $runs
      | [$runs[] | select(.id == $v and .start <= $t)] | sort_by(.start) | last as $run
      | if $run == null then "unknown" else
          $run.team as $team
          | ([$log[0][] | select(.time <= $t)] | last | .name) as $now
          | ([$log[0][] | select(.time <= $t - 2)] | last | .name) as $before
          | [$run.tres | keys[] | select(startswith("gres/gpu:"))] as $rs
          | [$runs[] | select(.team == $team and .start <= $t and (.end == null or .end >= $t))] as $held
          | if any($rs[]; . as $r | ([$held[] | .tres[$r] // 0] | add) as $use
                         | any([$now, $before][]; ($quotas[.][$team][$r] // 0) < $use))
            then "over" else "in-quota \($team) at \($t)" end
        end' <<<"$runs")
    case $verdict in
      over) ;;
      unknown) tg_log "preemption of $victim by $preemptor ($reason): its preempted run is not in sacct yet" ;;
      *) violation b "job $victim of team $vteam preempted by job $preemptor of team $pteam ($reason) while $verdict" ;;
    esac
  done <<<"$records"
}
quotas_json() { jq -n --argjson a "${QUOTA[A]}" --argjson b "${QUOTA[B]}" '{A: $a, B: $b}'; }
policy_log_json() { awk '{printf "{\"time\":%s,\"name\":\"%s\"}\n", $1, $2}' "$POLICY_LOG" | jq -s .; }

check_sacct() {
  local known id raw row want got
  [ ${#SUBMITTED[@]} -gt 0 ] || return 0
  known=$(printf '%s\n' "${SUBMITTED[@]}" | paste -sd, |
          xargs -I{} sacct -a -X -n -P -j {} -o JobID,JobIDRaw,Account,AdminComment 2>/dev/null)
  for id in "${SUBMITTED[@]}"; do
    check d
    if ! grep -Eq "^$id([_+][^|]*)?\|" <<<"$known"; then
      violation d "job $id accepted by Slurm but unknown to sacct"
      continue
    fi
    # Each task or component against the team of its account in slurmdbd (an Account= update
    # may have moved one task or component alone).
    while IFS='|' read -r _ raw acct row; do
      want=$(jq -r --arg a "$acct" '.[$a] // "-"' <<<"$TEAM_OF_ACCOUNT")
      [ "$want" != - ] || continue
      got=$(sed -n 's/.*team=\([^;]*\).*/\1/p' <<<"$row")
      [ -z "$got" ] || [ "$got" = "$want" ] || violation d "job $raw (of $id): sacct's stamp says team $got, expected $want"
    done < <(grep -E "^$id([_+][^|]*)?\|" <<<"$known")
  done
}

# ------------------------------------------------------------------ the run
RANDOM=$seed
first_time=$(date +%s)
tg_audit_mark
tg_log "soak: seed $seed, $ops operations, $restarts slurmctld restarts${sanitize:+, sanitized plugins}"
for ((step = 1; step <= ops; step++)); do
  if [ "$restarts" -gt 0 ] && [ $restarts_done -lt "$restarts" ] &&
     [ "$step" -ge $(( (restarts_done + 1) * ops / (restarts + 1) )) ]; then
    op_restart
    after_step || break
  fi
  queued=$(jq '.jobs | length' "$PREVIOUS")
  roll=$(rand 100)
  if [ "$queued" -gt 40 ] && [ "$roll" -lt 45 ]; then roll=55; fi     # keep the queue turning
  if   [ "$roll" -lt 45 ]; then op_submit
  elif [ "$roll" -lt 60 ]; then op_update
  # An operation on a job the queue does not have (none pending, none running) submits one.
  elif [ "$roll" -lt 71 ]; then if id=$(some_job); then op_scontrol cancel scancel "$id"; else op_submit; fi
  elif [ "$roll" -lt 79 ]; then if id=$(some_job PENDING); then op_scontrol hold scontrol hold "$id"; else op_submit; fi
  elif [ "$roll" -lt 88 ]; then if id=$(some_job PENDING); then op_scontrol release scontrol release "$id"; else op_submit; fi
  elif [ "$roll" -lt 96 ]; then if id=$(some_job RUNNING); then op_scontrol requeue scontrol requeue "$id"; else op_submit; fi
  else op_reconfigure
  fi
  after_step || break
  if ((step % 100 == 0)); then
    tg_log "op $step: $(jq '.jobs | length' "$PREVIOUS") jobs in the queue, $checks checks, $violations violations"
  fi
done
while [ $restarts_done -lt "$restarts" ]; do op_restart; after_step || break; done

tg_log "soak: the operations are done; waiting for the queue's last records to reach slurmdbd"
squeue -h -o %i | xargs -r scancel >/dev/null 2>&1
sleep 5
check_preemptions
check_sacct

echo
echo "soak summary (seed $seed)"
total=0
for k in $(printf '%s\n' "${!OPS[@]}" | sort); do
  printf '  %-22s %5d (%d accepted by Slurm)\n' "$k" "${OPS[$k]}" "${OKS[$k]:-0}"
  total=$((total + OPS[$k]))
done
printf '  %-22s %5d\n' operations "$total" restarts "$restarts_done" "jobs accepted" "${#SUBMITTED[@]}" \
  "preemptions" "${PREEMPTIONS:-0}" "invariant checks" "$checks" violations "$violations"
printf '  every team'"'"'s limits equal to before within %ss after %d of %d restarts (the others: the queue moved)\n' \
  "$worst_restore" "$limit_restores_equal" "$restarts_done"
# Repeated last: a CI log shows only its tail.
[ "$violations" = 0 ] || { echo "violations ($VIOLATION_LOG):"; cat "$VIOLATION_LOG"; exit 1; }
exit 0
