# SPDX-License-Identifier: GPL-2.0-or-later
# Helpers for the integration tests (source this file; each tests/integration/NN_name.sh is one
# scenario and exits 0 pass, 1 fail, 77 skip). Tests run as root against the local cluster of
# scripts/cluster.sh and submit as the cluster's users (alice, bob, carol, dave) with runuser.
#
# Assertions print "ok: ..." or "FAIL: ..." with expected and actual values and let the test go on;
# tg_done exits 1 when any failed. Jobs submitted through tg_submit are cancelled when the test exits.
# shellcheck shell=bash
set -uo pipefail

TG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TG_CLUSTER=$TG_TOP/scripts/cluster.sh
TG_TEST=$(basename "$0" .sh)
# SLURM_CONF, TASKGOV_CLUSTER_DIR; for another release than the host's (TASKGOV_SLURM=24.11) or a
# package's root (TASKGOV_SLURM_ROOT) also PATH (its clients), TASKGOV_BIN and TASKGOV_PLUGIN_DIR.
eval "$("$TG_CLUSTER" env)"
if [ "${TASKGOV_SANITIZE:-0}" = 1 ]; then TG_PLUGIN_DIR=${TASKGOV_PLUGIN_DIR:-$TG_TOP/build/sanitized-plugins}
else TG_PLUGIN_DIR=${TASKGOV_PLUGIN_DIR:-$TG_TOP/plugin/.libs}; fi
# The prefix that runs a command where the cluster's Slurm is installed: nothing for the host's,
# scripts/inroot.sh ROOT for another release's or a package's root; TG_ROOT is that root ("" for
# the host), which prefixes the release's own paths (the project folder is the same on both sides).
TG_IN_RELEASE=()
TG_ROOT=${TASKGOV_SLURM_ROOT:-}
[ -n "$TG_ROOT" ] || [ -z "${TASKGOV_SLURM:-}" ] ||
  TG_ROOT=$("$TG_TOP/scripts/slurm-root.sh" "$TASKGOV_SLURM" path)
# shellcheck disable=SC2034  # used by the scenarios that source this file
[ -z "$TG_ROOT" ] || TG_IN_RELEASE=("$TG_TOP/scripts/inroot.sh" "$TG_ROOT")
# How a job's GRES requests are spelled (TresPerNode, CpusPerTres, squeue %b): "gres:gpu:h100:2"
# in 22.05, "gres/gpu:h100:2" in 24.11.
TG_GRES=gres:
# shellcheck disable=SC2034  # used by the scenarios that source this file
[ -z "${TASKGOV_SLURM:-}" ] || TG_GRES=gres/
TG_JOBDIR=$TASKGOV_CLUSTER_DIR/jobs/$TG_TEST
TG_CTLD_LOG=$TASKGOV_CLUSTER_DIR/log/slurmctld.log
TG_FAILED=0
TG_JOB=
TG_JOBS=()

tg_log() { printf '[%s] %s\n' "$(date +%T)" "$*"; }
tg_time() { tg_log "time: $*"; }                      # a measurement; scripts/test.sh shows these
# shellcheck source=scripts/clock.sh
. "$TG_TOP/scripts/clock.sh"
tg_secs() { elapsed "$1" 2; }                          # seconds since t0=$(now), 2 decimals

# ------------------------------------------------------------------ outcome
tg_pass() { printf 'ok: %s\n' "$1"; }
tg_fail() {
  printf 'FAIL: %s\n' "$1"
  [ $# -lt 3 ] || printf '  expected: %s\n  actual:   %s\n' "$2" "$3"
  TG_FAILED=1
}
tg_skip() { printf 'SKIP: %s\n' "$*"; exit 77; }
tg_fatal() { tg_fail "$*"; exit 1; }          # cannot go on
tg_done() {
  if [ "$TG_FAILED" = 0 ]; then tg_log "$TG_TEST: passed"; exit 0; fi
  tg_log "$TG_TEST: FAILED"
  exit 1
}

tg_assert_eq() {                              # DESC EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then tg_pass "$1 ($3)"; else tg_fail "$1" "$2" "$3"; fi
}
tg_assert_match() {                           # DESC ERE ACTUAL
  if [[ $3 =~ $2 ]]; then tg_pass "$1 ($3)"; else tg_fail "$1" "matching /$2/" "$3"; fi
}
tg_assert_contains() {                        # DESC NEEDLE HAYSTACK
  if [[ $3 == *"$2"* ]]; then tg_pass "$1"; else tg_fail "$1" "text containing '$2'" "$3"; fi
}
tg_assert_lt() {                              # DESC LIMIT VALUE (decimals allowed)
  if awk -v v="$3" -v l="$2" 'BEGIN {exit !(v < l)}'; then tg_pass "$1 ($3 < $2)"
  else tg_fail "$1" "less than $2" "$3"; fi
}
tg_assert_ok() {                              # DESC COMMAND...: the command succeeds
  local desc=$1 out rc
  shift
  out=$("$@" 2>&1); rc=$?
  if [ $rc = 0 ]; then tg_pass "$desc"; else tg_fail "$desc" "exit 0 from: $*" "exit $rc: $out"; fi
}
tg_assert_fails() {                           # DESC COMMAND...: the command fails
  local desc=$1 out rc
  shift
  out=$("$@" 2>&1); rc=$?
  if [ $rc != 0 ]; then tg_pass "$desc"; else tg_fail "$desc" "non-zero exit from: $*" "exit 0: $out"; fi
}

# ------------------------------------------------------------------ the cluster
tg_plugins_built() {
  local p dir=$TG_PLUGIN_DIR
  [[ $dir == "$TG_TOP"/* ]] || dir=$TG_ROOT$dir
  for p in job_submit priority preempt; do [ -f "$dir/${p}_taskgov.so" ] || return 1; done
}

# The mode tests run in: TASKGOV_PLUGINS when set, else on when the plugins are built.
tg_default_mode() {
  if [ -n "${TASKGOV_PLUGINS:-}" ]; then echo "$TASKGOV_PLUGINS"
  elif tg_plugins_built; then echo on
  else echo off; fi
}

# tg_cluster_mode on|off: start the cluster (or make sure it runs) in that plugin mode.
tg_cluster_mode() {
  TASKGOV_PLUGINS=$1 "$TG_CLUSTER" start || tg_fatal "scripts/cluster.sh start (plugins $1) failed"
  install -d -m 1777 "$TG_JOBDIR"
}
# tg_cluster_up: the same in the default mode (tg_default_mode).
tg_cluster_up() { tg_cluster_mode "$(tg_default_mode)"; }

# tg_grp_tres ACCOUNT: "GrpTRES=..." of the account's own association in assoc_mgr (the limit in
# force, taskgov's included), not of one of its users' associations (listed in any order).
tg_grp_tres() {
  scontrol show assoc_mgr accounts="$1" flags=assoc 2>/dev/null | awk -v a="$1" '
    /^ClusterName=/ { mine = index($0, " Account=" a " ") && / UserName= / }
    mine && /GrpTRES=/ { match($0, /GrpTRES=[^ ]*/); print substr($0, RSTART, RLENGTH); exit }'
}
# tg_grp_jobs ACCOUNT: "GrpJobs=LIMIT(USED)" of the account's own association in assoc_mgr.
tg_grp_jobs() {
  scontrol show assoc_mgr accounts="$1" flags=assoc 2>/dev/null | awk -v a="$1" '
    /^ClusterName=/ { mine = index($0, " Account=" a " ") && / UserName= / }
    mine && /GrpJobs=/ { match($0, /GrpJobs=[^ ]*/); print substr($0, RSTART, RLENGTH); exit }'
}
# Slurm's reasons for a job its team's limit holds back: AssocGrpGRES (GrpTRES, checked after
# node selection), or AssocGrpJobsLimit once taskgov has pinned the team's GrpJobs because every
# job of the team is held back (taskgov_plugins(8), "Scheduling cost").
# shellcheck disable=SC2034  # used by the scenarios that source this file
TG_AT_LIMIT='AssocGrp(GRES|JobsLimit)'
tg_ctld_pid() { local pid _; read -r pid _ <"$TASKGOV_CLUSTER_DIR/pids/slurmctld.pid" && echo "$pid"; }
tg_config() { scontrol show config | awk -v k="$1" '$1 == k {sub(/^[^=]*= */, ""); print; exit}'; }

# ------------------------------------------------------------------ jobs
# tg_submit USER SBATCH-ARGS...: submit as USER from the test's writable job folder; sets TG_JOB.
# sbatch's messages (e.g. a job_submit plugin's notes) are logged; stdout holds only the job id.
tg_submit() {
  local user=$1 out err
  shift
  TG_JOB=
  err=$(mktemp)
  out=$(cd "$TG_JOBDIR" && runuser -u "$user" -- sbatch --parsable --chdir="$TG_JOBDIR" \
        -o "$TG_JOBDIR/%j.out" "$@" 2>"$err")
  local rc=$?
  if [ $rc != 0 ] || [ -z "$out" ]; then
    tg_log "sbatch as $user failed (exit $rc): $(cat "$err")"
    rm -f "$err"
    return 1
  fi
  TG_JOB=${out%%;*}
  TG_JOBS+=("$TG_JOB")
  tg_log "submitted job $TG_JOB as $user: sbatch $*"
  [ ! -s "$err" ] || sed 's/^/    /' "$err"
  rm -f "$err"
}

tg_sacct() { sacct -n -X -P -j "$1" -o "$2" 2>/dev/null; }                  # JOB FIELD
# tg_sacct_set JOB FIELD: the field once slurmdbd has it (a start record lags the start ~1 s).
tg_sacct_set() {
  local i v=
  for ((i = 0; i < 50; i++)); do v=$(tg_sacct "$1" "$2"); [ -z "$v" ] || break; sleep 0.2; done
  echo "$v"
}
tg_squeue() { squeue -h -j "$1" -o "$2" 2>/dev/null; }                       # JOB FORMAT
tg_scontrol() {                                                              # JOB KEY
  scontrol show job -o "$1" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$2=//p"
}
tg_output() { cat "$TG_JOBDIR/$1.out" 2>/dev/null; }                        # JOB

# tg_wait_state JOB STATE [SECONDS=30]: wait for JOB to be in STATE. Final states are read from
# sacct, and only once the job's start record reached slurmdbd too (Eligible set): the completion
# can reach the database about 2 s before the record with QOS, NodeList and Eligible.
tg_wait_state() {
  local job=$1 want=$2 secs=${3:-30} i state=
  for ((i = 0; i < secs * 5; i++)); do
    case $want in
      PENDING|RUNNING|SUSPENDED|COMPLETING|CONFIGURING|REQUEUED)
        state=$(tg_squeue "$job" %T) ;;
      *)
        state=$(tg_sacct "$job" State,Eligible)
        if [[ $state == *"|Unknown" ]]; then state="${state%%|*} (start record not in slurmdbd yet)"
        else state=${state%%|*}; state=${state%% by *}; fi ;;   # "CANCELLED by 0" -> CANCELLED
    esac
    [ "$state" = "$want" ] && return 0
    sleep 0.2
  done
  tg_fail "job $job reaches $want within ${secs}s" "$want" "${state:-<none>}"
  scontrol show job "$job" 2>/dev/null | sed 's/^/    /'
  return 1
}

# tg_gres TRES: the gres/ entries of a TRES string, sorted, comma-separated.
tg_gres() { tr , '\n' <<<"$1" | grep '^gres/' | sort | paste -sd,; }
# tg_tres TRES KEY: one value from a TRES string ("node" -> "2").
tg_tres() { tr , '\n' <<<"$1" | sed -n "s|^$2=||p"; }

# slurmctld.log lines written since tg_log_mark.
tg_log_mark() { TG_LOG_MARK=$(wc -l 2>/dev/null <"$TG_CTLD_LOG" || echo 0); }
tg_log_since() { tail -n +"$((${TG_LOG_MARK:-0} + 1))" "$TG_CTLD_LOG" 2>/dev/null; }

# ------------------------------------------------------------------ the taskgov command
# shellcheck disable=SC2034  # used by the scenarios that source this file
TG_TASKGOV=${TASKGOV_BIN:-$TG_TOP/taskgov}     # the build's (a libtool wrapper; run it as is)

# tg_run COMMAND...: run it; sets TG_RC, TG_OUT (stdout) and TG_ERR (stderr).
tg_run() {
  local err
  err=$(mktemp)
  TG_OUT=$("$@" 2>"$err"); TG_RC=$?
  TG_ERR=$(cat "$err"); rm -f "$err"
}

# tg_assert_error DESC STATUS NEEDLE COMMAND...: the command exits with STATUS, says NEEDLE on
# stderr and prints nothing on stdout (a script reading it gets no half result).
tg_assert_error() {
  local desc=$1 status=$2 needle=$3
  shift 3
  tg_run "$@"
  if [ "$TG_RC" = "$status" ] && [[ $TG_ERR == *"$needle"* ]] && [ -z "$TG_OUT" ]; then
    tg_pass "$desc (exit $TG_RC: $TG_ERR)"
  else
    tg_fail "$desc" "exit $status, stderr containing '$needle', empty stdout" \
      "exit $TG_RC, stderr: $TG_ERR; stdout: $TG_OUT"
  fi
}

# tg_table_row TEXT HEADER-ERE KEY [KEY2]: the cells after the key column(s) of a row of one of
# taskgov's aligned tables (the one whose header line matches HEADER-ERE), one space between
# cells. Cells are separated by two or more spaces; a row whose first cell is blank continues
# the team above it (taskgov writes a team's name on its first row only).
tg_table_row() {
  awk -v header="$2" -v k1="$3" -v k2="${4:-}" '
    BEGIN { FS = "  +" }
    $0 ~ header { inside = 1; next }
    inside && $0 == "" { inside = 0 }
    inside {
      if ($1 != "") first = $1
      if (first != k1) next
      if (k2 == "") from = 2
      else if ($2 == k2) from = 3
      else next
      row = ""
      for (i = from; i <= NF; i++) row = row (i > from ? " " : "") $i
      print row
      exit
    }' <<<"$1"
}

# ------------------------------------------------------------------ governance
# tg_policy JSON: installs this taskgov.json (plugins on) and waits until priority/taskgov has
# loaded it; the sample policy comes back when the test exits.
tg_policy() {
  local file=$TASKGOV_CLUSTER_DIR/jobs/policy-$TG_TEST.json i
  printf '%s\n' "$1" >"$file"
  tg_log_mark
  TASKGOV_POLICY=$file TASKGOV_PLUGINS=on "$TG_CLUSTER" start >/dev/null || tg_fatal "installing the test's policy failed"
  install -d -m 1777 "$TG_JOBDIR"
  TG_POLICY_CHANGED=1
  for ((i = 0; i < 50; i++)); do
    if grep -q "priority/taskgov: .*: policy .* loaded" <<<"$(tg_log_since)"; then
      sleep 1.5   # a first cycle, so limits and site factors match the new policy
      return 0
    fi
    sleep 0.2
  done
  tg_fail "priority/taskgov loaded the test's policy" "a 'policy ... loaded' line" "$(tg_log_since | grep taskgov | tail -3)"
  exit 1
}

# tg_governed_scenario CLUSTER-FIELDS TEAMS: the scenario needs the plugins (else it is skipped);
# it starts from an idle cluster with a policy of the classes inference (100), training (50) and
# experimentation (10), a 2 s cycle, the extra cluster fields given (JSON members, may be empty)
# and the teams (a JSON array).
tg_governed_scenario() {
  [ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
  tg_cluster_mode on
  tg_clean_slate
  tg_policy '{
  "cluster": {"priority_classes": [{"name": "inference", "weight": 100},
                                   {"name": "training", "weight": 50},
                                   {"name": "experimentation", "weight": 10}],
              "cycle_seconds": 2'"${1:+, $1}"'},
  "teams": '"$2"'}'
}

# tg_in_team_scenario PREEMPT_TEAM_TASKS: task-ranking; nlp (8 H100, lends) with that
# preempt_team_tasks and vision (8 H100, dont-lend): the in-team priority scenarios.
tg_in_team_scenario() {
  tg_governed_scenario '"admission": "task-ranking"' '[
    {"name": "nlp", "account": "nlp", "sharing": "lend", "preempt_team_tasks": "'"$1"'",
     "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "vision", "account": "vision", "sharing": "dont-lend",
     "quota": [{"gres": "gpu:h100", "count": 8}]}
  ]'
}

# The borrowing scenario's teams: nlp (8 H100, lend-and-borrow, 50 %) and vision (8 H100, lends).
# shellcheck disable=SC2034  # used by the scenarios that source this file
TG_BORROWING_TEAMS='[
    {"name": "nlp", "account": "nlp", "borrow_limit_percent": 50,
     "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "vision", "account": "vision", "sharing": "lend",
     "quota": [{"gres": "gpu:h100", "count": 8}]}
  ]'

# tg_nlp_borrows ARRAY COUNT: alice submits COUNT jobs of 4 H100 to nlp (TG_BORROWING_TEAMS),
# 0.3 s apart so that their start times differ (the newest running job is the borrowed one),
# and waits until the first three run: 12 H100, quota 8 + borrow cap 4. ARRAY[1..COUNT] gets
# their ids.
tg_nlp_borrows() {
  local -n tg_ids=$1
  local i
  for ((i = 1; i <= $2; i++)); do
    tg_submit alice --gres=gpu:h100:4 --wrap 'sleep 600' || tg_fatal "nlp job $i submitted"
    tg_ids[i]=$TG_JOB
    sleep 0.3
  done
  for ((i = 1; i <= $2 && i <= 3; i++)); do
    tg_wait_state "${tg_ids[i]}" RUNNING 20 || tg_fatal "nlp's job $i runs"
  done
}

# ------------------------------------------------------------------ decision records
# The audit log in its default place, next to slurmctld.log.
TG_AUDIT=$TASKGOV_CLUSTER_DIR/log/taskgov-audit.log
tg_audit_mark() { TG_AUDIT_MARK=$(wc -l 2>/dev/null <"$TG_AUDIT" || echo 0); }
# tg_audit_since JQ-FILTER: the records written since tg_audit_mark that the filter selects, compact.
tg_audit_since() { tail -n +"$((${TG_AUDIT_MARK:-0} + 1))" "$TG_AUDIT" | jq -c "select($1)"; }
# tg_audit_wait DESC JQ-FILTER: wait up to 10 s for such a record; prints the last one.
tg_audit_wait() {
  local found
  for _ in $(seq 1 50); do
    found=$(tg_audit_since "$2" | tail -1)
    [ -n "$found" ] && { echo "$found"; return 0; }
    sleep 0.2
  done
  tg_fail "$1" "a record matching $2" "none in $(tg_audit_since true | wc -l) new records"
  return 1
}
# tg_preemptions: the preemption records (carried out, not shadow) since tg_audit_mark.
tg_preemptions() { tg_audit_since '.event == "preemption" and .mode == "enforce"'; }

# tg_clean_slate: no job of any user left, so a scenario starts from an idle cluster.
tg_clean_slate() {
  local i
  squeue -h -o %i | xargs -r scancel >/dev/null 2>&1 || true
  for ((i = 0; i < 100; i++)); do
    [ -z "$(squeue -h -o %i)" ] && return 0
    sleep 0.2
  done
  tg_fatal "the cluster drained its jobs" "no jobs" "$(squeue -h)"
}

# tg_running_gres USER TYPE: GPUs of TYPE (e.g. h100) held by USER's running jobs.
tg_running_gres() {
  squeue -h -u "$1" -t RUNNING -o '%b %D' | awk -v t="gpu:$2:" '
    { n = split($1, items, ","); for (i = 1; i <= n; i++) if (index(items[i], t)) {
        c = items[i]; sub(/.*:/, "", c); sum += c * $2 } }
    END { print sum + 0 }'
}

tg_cleanup() {
  if [ ${#TG_JOBS[@]} -gt 0 ]; then scancel "${TG_JOBS[@]}" >/dev/null 2>&1 || true; fi
  if [ -n "${TG_POLICY_CHANGED:-}" ]; then
    TASKGOV_PLUGINS=on "$TG_CLUSTER" start >/dev/null 2>&1 || true
  fi
}
trap tg_cleanup EXIT
