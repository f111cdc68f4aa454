#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `taskgov status` on the borrowing scenario (nlp 8 H100 with a 50 % borrow cap, vision 8 H100
# that it lends): while nlp borrows 4 of vision's idle H100 and then after vision reclaims them,
# the table, --json and --prometheus give the same numbers for gres/gpu:h100, and those numbers
# are what squeue and sinfo show. --output writes the file. A missing or broken policy file,
# an unwritable --output and a stopped slurmctld give a clear message and a non-zero exit.
. "$(dirname "$0")/lib.sh"

[ -x "$TG_TASKGOV" ] || tg_skip "taskgov is not built"
tg_governed_scenario '' "$TG_BORROWING_TEAMS"
policy=$TASKGOV_CLUSTER_DIR/etc/taskgov.json
H=gres/gpu:h100

# prom TEXT METRIC LABELS: the value of one sample.
prom() { awk -v m="$2{$3}" '$1 == m {print $2; found = 1} END {exit !found}' <<<"$1"; }

# slurmctld_preemptions [JOB...]: "fair-share N, priority N, reclaim N", the preemption records
# in the AdminComment of the jobs slurmctld knows (ended ones until it purges them), or of the
# jobs given, as the table writes them.
slurmctld_preemptions() {
  local job
  { if [ $# = 0 ]; then scontrol show job -o; else for job; do scontrol show job -o "$job"; done; fi; } 2>/dev/null |
    grep -o 'AdminComment=[^ ]*' | grep -o 'reason=[a-z-]*' |
    awk -F= '{n[$2]++} END {printf "fair-share %d, priority %d, reclaim %d\n", n["fair-share"], n["priority"], n["reclaim"]}'
}

# snapshot: the three outputs at one moment, with slurmctld's preemption records (old jobs'
# too, until slurmctld purges them) taken before and after, retried when a purge came between.
snapshot() {
  local before
  for _ in 1 2 3; do
    before=$(slurmctld_preemptions)
    table=$("$TG_TASKGOV" status) || tg_fail "taskgov status exits 0"
    json=$("$TG_TASKGOV" status --json) || tg_fail "taskgov status --json exits 0"
    metrics=$("$TG_TASKGOV" status --prometheus) || tg_fail "taskgov status --prometheus exits 0"
    preemptions=$(slurmctld_preemptions)
    [ "$before" = "$preemptions" ] && break
  done
  reclaims=${preemptions##*reclaim }
}

# check PHASE TEAM "QUOTA USED IN-QUOTA BORROWED LENT LIMIT BORROW-CAP PENDING" RUNNING PENDING-JOBS
# for gres/gpu:h100, in all three outputs.
check_team() {
  local phase=$1 team=$2 want=$3 running=$4 pending=$5 metric
  tg_assert_eq "$phase: table, $team's $H row" "$want" "$(tg_table_row "$table" "^TEAM +RESOURCE" "$team" "$H")"
  tg_assert_eq "$phase: json, $team's $H" "$want" "$(jq -r --arg t "$team" --arg r "$H" '.teams[] | select(.name == $t) |
    [.quota[$r], .used[$r], .used_in_quota[$r], .borrowed[$r], .lent[$r], .limit[$r], .borrow_cap[$r],
     .pending_requested[$r]] | map(tostring) | join(" ")' <<<"$json")"
  tg_assert_eq "$phase: json, $team's running and pending jobs" "$running $pending" \
    "$(jq -r --arg t "$team" '.teams[] | select(.name == $t) | "\(.running_jobs) \(.pending_jobs)"' <<<"$json")"
  local labels="team=\"$team\",resource=\"$H\"" got=()
  for metric in quota used used_in_quota borrowed lent limit borrow_cap pending_requested; do
    got+=("$(prom "$metrics" "taskgov_team_$metric" "$labels")")
  done
  tg_assert_eq "$phase: prometheus, taskgov_team_*{$labels}" "$want" "${got[*]}"
  tg_assert_eq "$phase: prometheus, $team's running and pending jobs" "$running $pending" \
    "$(prom "$metrics" taskgov_team_running_jobs "team=\"$team\"") $(prom "$metrics" taskgov_team_pending_jobs "team=\"$team\"")"
}

# check_cluster PHASE "CAPACITY USED IDLE UNGOVERNED POOL POOL-BORROWED POOL-FREE" for gres/gpu:h100.
check_cluster() {
  local phase=$1 want=$2 got=() metric
  tg_assert_eq "$phase: table, cluster's $H row" "$want" "$(tg_table_row "$table" "^RESOURCE +CAPACITY" "$H")"
  tg_assert_eq "$phase: json, cluster's $H" "$want" "$(jq -r --arg r "$H" '.cluster |
    [.capacity[$r], .used[$r], .idle[$r], .ungoverned_used[$r], .pool_total[$r], .pool_borrowed[$r],
     .pool_free[$r]] | map(tostring) | join(" ")' <<<"$json")"
  for metric in cluster_capacity cluster_used cluster_idle cluster_ungoverned_used pool_total pool_borrowed pool_free; do
    got+=("$(prom "$metrics" "taskgov_$metric" "resource=\"$H\"")")
  done
  tg_assert_eq "$phase: prometheus, taskgov_cluster_*/taskgov_pool_*{resource=\"$H\"}" "$want" "${got[*]}"
}

# The capacity status must report, as sinfo counts it from the nodes' GRES.
capacity=$(sinfo -h -N -o '%N %G' | sort -u | grep -o 'gpu:h100:[0-9]*' | awk -F: '{n += $3} END {print n + 0}')
tg_assert_eq "sinfo: the cluster has 16 H100" 16 "$capacity"

# ---------------------------------------------------------------- nlp borrows
declare -a nlp
tg_nlp_borrows nlp 4
sleep 1
tg_assert_match "squeue: nlp holds 12 H100, its fourth job waits on the team limit" "^12 PENDING $TG_AT_LIMIT\$" \
  "$(tg_running_gres alice h100) $(tg_squeue "${nlp[4]}" '%T %r')"
snapshot
phase="nlp borrows"
tg_assert_contains "$phase: the table names the policy file" "taskgov status at " "$table"
tg_assert_contains "$phase: ... the one next to slurm.conf" ": $policy (enforce, admission fcfs" "$table"
tg_assert_eq "$phase: json, the policy file" "$policy" "$(jq -r .policy <<<"$json")"
check_cluster "$phase" "16 12 4 0 8 4 4"
#                       quota used in-quota borrowed lent limit cap pending; running, pending jobs
check_team "$phase" nlp    "8 12 8 4 0 12 4 4" 3 1
check_team "$phase" vision "8 0 0 0 4 8 0 0" 0 0
# In the teams table: the fourth job is blocked (12 + 4 is past quota plus borrow cap).
# The share: 4 borrowed of the pool's capacity of 16 (both teams lend their idle quota).
tg_assert_eq "$phase: table, nlp's jobs (share 4 of the pool's capacity 16; running 3, pending 1, blocked 1)" \
  "nlp lend-and-borrow 1 0.250 3 1 0 0 1" "$(tg_table_row "$table" "^TEAM +ACCOUNT" nlp)"
tg_assert_eq "$phase: json, nlp's pending jobs by band" '{"in-quota":0,"borrowing":0,"blocked":1}' \
  "$(jq -c '.teams[] | select(.name == "nlp") | .pending_by_band' <<<"$json")"
tg_assert_eq "$phase: json, cluster running and pending jobs" "3 1" \
  "$(jq -r '.cluster | "\(.running_jobs) \(.pending_jobs)"' <<<"$json")"
# CPU and memory quotas come from the nodes' shape (an 8-H100 node has 192 CPUs and 2 TiB); each
# 4-GPU job got 96 CPUs and 1 TiB from job_submit.
tg_assert_eq "$phase: json, nlp's cpu quota, used, borrowed" "192 288 96" \
  "$(jq -r '.teams[] | select(.name == "nlp") | "\(.quota.cpu) \(.used.cpu) \(.borrowed.cpu)"' <<<"$json")"
tg_assert_eq "$phase: json, nlp's memory quota in MiB" 2097152 \
  "$(jq -r '.teams[] | select(.name == "nlp") | .quota.mem' <<<"$json")"
tg_assert_eq "$phase: prometheus, nlp's memory quota in bytes" 2199023255552 \
  "$(prom "$metrics" taskgov_team_quota 'team="nlp",resource="mem"')"
tg_assert_match "$phase: prometheus, every metric has HELP and TYPE gauge" \
  "^# HELP taskgov_team_quota .*# TYPE taskgov_team_quota gauge" "$(head -2 <<<"$metrics" | paste -sd' ')"
tg_assert_eq "$phase: prometheus, no sample lacks a value" "" \
  "$(grep -v '^#' <<<"$metrics" | grep -Ev '^taskgov_[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$')"

scancel "${nlp[4]}"
tg_wait_state "${nlp[4]}" CANCELLED 15

# ---------------------------------------------------------------- vision reclaims
tg_submit bob -N1 --gres=gpu:h100:8 --wrap 'sleep 600' || tg_fatal "vision's job submitted"
vision=$TG_JOB
tg_wait_state "$vision" RUNNING 15 || tg_fatal "vision's job runs"
tg_wait_state "${nlp[3]}" PENDING 10 || tg_fatal "nlp's borrowed job is requeued"
tg_assert_eq "squeue: nlp holds 8 H100, vision 8" "8 8" "$(tg_running_gres alice h100) $(tg_running_gres bob h100)"
snapshot
phase="after vision's reclaim"
check_cluster "$phase" "16 16 0 0 0 0 0"
check_team "$phase" nlp    "8 8 8 0 0 8 4 4" 2 1
check_team "$phase" vision "8 8 8 0 0 8 0 0" 1 0
tg_assert_eq "scontrol: our jobs carry one reclaim record" "fair-share 0, priority 0, reclaim 1" \
  "$(slurmctld_preemptions "${nlp[@]}" "$vision")"
# The others are earlier scenarios' jobs that slurmctld has not purged yet.
tg_log "slurmctld knows these preemption records: $preemptions"
tg_assert_eq "$phase: table, preemptions" "$preemptions" \
  "$(sed -n 's/^preemptions recorded on the jobs slurmctld still knows: //p' <<<"$table")"
tg_assert_eq "$phase: json, reclaim preemptions" "$reclaims" "$(jq -r .preemptions.reclaim <<<"$json")"
tg_assert_eq "$phase: prometheus, taskgov_preemptions_total{reason=\"reclaim\"}" "$reclaims" \
  "$(prom "$metrics" taskgov_preemptions_total 'reason="reclaim"')"

# ---------------------------------------------------------------- --output
prom_file=$TG_JOBDIR/taskgov.prom
rm -f "$prom_file"
tg_run "$TG_TASKGOV" status --prometheus --output "$prom_file"
tg_assert_eq "--prometheus --output: exit 0, nothing on stdout" "0 ''" "$TG_RC '$TG_OUT'"
tg_assert_eq "--output: the file has nlp's quota" 8 \
  "$(prom "$(cat "$prom_file" 2>/dev/null)" taskgov_team_quota "team=\"nlp\",resource=\"$H\"")"
tg_assert_eq "--output: the file has vision's use" 8 \
  "$(prom "$(cat "$prom_file" 2>/dev/null)" taskgov_team_used "team=\"vision\",resource=\"$H\"")"
tg_assert_eq "--output: no temporary file is left" "" "$(find "$TG_JOBDIR" -name 'taskgov.prom.*')"

# ---------------------------------------------------------------- bad input
tg_assert_error "--policy /nonexistent: exit 1, names the file" 1 \
  "/nonexistent: cannot read the policy file: No such file or directory" "$TG_TASKGOV" status --policy /nonexistent
bad=$TG_JOBDIR/bad-policy.json
printf '{\n  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]},\n  "teams": [,]\n}\n' >"$bad"
tg_assert_error "a policy with a JSON error: exit 1, file, line and column" 1 \
  "$bad:3:13: invalid JSON" "$TG_TASKGOV" status --json --policy "$bad"
tg_assert_error "--output into a missing directory: exit 2, names the file" 2 \
  "cannot write $TG_JOBDIR/no-such-dir/x.prom: No such file or directory" \
  "$TG_TASKGOV" status --prometheus --output "$TG_JOBDIR/no-such-dir/x.prom"
tg_assert_error "--watch with --prometheus but no --output: exit 2" 2 "needs --output FILE" \
  "$TG_TASKGOV" status --prometheus --watch 5
tg_assert_error "--json with --prometheus: exit 2" 2 "--json excludes --prometheus" \
  "$TG_TASKGOV" status --json --prometheus

# ---------------------------------------------------------------- slurmctld down
tg_clean_slate
pid=$(tg_ctld_pid) || tg_fatal "slurmctld's pid is recorded"
tg_log "stopping slurmctld (pid $pid)"
kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
kill -0 "$pid" 2>/dev/null && tg_fatal "slurmctld stopped within 20 s"
t0=$(now)
tg_assert_error "slurmctld down: exit 2, says slurmctld cannot be reached" 2 \
  "cannot read the cluster's nodes from slurmctld: Unable to contact slurm controller (connect failure); is slurmctld running?" \
  "$TG_TASKGOV" status --prometheus
tg_time "status with slurmctld down fails after $(tg_secs "$t0")s"
tg_cluster_up
tg_assert_ok "with slurmctld back, status works again" "$TG_TASKGOV" status
tg_done
