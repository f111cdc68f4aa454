#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo (run as root): installs dependencies, builds, starts the local cluster with the taskgov
# plugins and the sample policy (etc/taskgov.json), runs a short scenario and shows what happened
# with squeue and sacct. The cluster stays up afterwards; scripts/cluster.sh stop stops it.
# Usage: scripts/demo.sh [--slurm 24.11]   (24.11: the cluster and the build of Slurm 24.11's
# Debian 13 root, see scripts/cluster.sh; stop it with scripts/cluster.sh --slurm 24.11 stop)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
slurm=()
if [ "${1:-}" = --slurm ]; then slurm=(--slurm "${2:-}"); shift 2 || true; fi
# The demo is taskgov's plugins at work: a release they cannot be built for (26.05) is refused.
[ ${#slurm[@]} = 0 ] || scripts/slurm-root.sh "${slurm[1]}" buildable || exit
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (the local cluster needs it)" >&2; exit 1; }

banner() { printf '\n=== %s\n' "$*"; }

# submit USER SBATCH-ARGS...: submit from the demo's job folder; prints what sbatch said.
submit() {
  local user=$1 out
  shift
  printf '$ runuser -u %s -- sbatch %s\n' "$user" "$*"
  if out=$(cd "$jobdir" && runuser -u "$user" -- sbatch --chdir="$jobdir" -o "$jobdir/%j.out" "$@" 2>&1); then
    printf '%s\n' "$out" | sed 's/^/  /'
    demo_jobs+=("$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' <<<"$out")")
  else
    printf '%s\n' "$out" | sed 's/^/  /'
  fi
}

show_queue() {
  banner "squeue"
  squeue -o '%.6i %.8u %.12a %.16q %.9T %.18b %.10N %r'
}

show_accounting() {
  banner "sacct (every record: a requeued job has one per run)"
  sacct -D -X -j "$(IFS=,; echo "${demo_jobs[*]}")" \
    -o JobID,User,Account%8,QOS%15,State%10,AllocTRES%50,AdminComment%100
}

show_limits() {
  banner "the team limits taskgov keeps in slurmctld (GrpTRES: quota + what each team may borrow now)"
  local account
  for account in nlp vision speech; do
    printf '%-7s %s\n' "$account" \
      "$(scontrol show assoc_mgr accounts="$account" flags=assoc | grep -m1 -o 'GrpTRES=[^ ]*')"
  done
}

# demo_jobs_in STATES: the demo's jobs in those states (squeue -t list).
demo_jobs_in() { squeue -h -j "$(IFS=,; echo "${demo_jobs[*]}")" -t "$1" -o %i 2>/dev/null; }

# wait_until SECONDS COMMAND...: poll COMMAND every 0.5 s.
wait_until() {
  local i
  for ((i = 0; i < $1 * 2; i++)); do
    "${@:2}" && return 0
    sleep 0.5
  done
  return 1
}
three_running() { [ "$(demo_jobs_in R | wc -l)" -ge 3 ]; }
all_done() { [ -z "$(demo_jobs_in PD,R,CG)" ]; }

# ============================================================ the scenario (extend here)
# Teams (etc/taskgov.json): nlp (alice; dave through nlp-interns) has 8 H100 and may borrow 50 %
# more; vision (bob) has 8 H100 and 4 A100 and lends what it does not use; speech (carol) has
# A100s and the Trainium node. Classes: inference > training > experimentation.
demo_scenario() {
  banner "1. nlp asks for 12 H100: 8 are its quota, 4 it borrows from vision's idle quota"
  submit alice --qos=training --gres=gpu:h100:4 --job-name=nlp-a --wrap 'sleep 600'
  submit alice --qos=training --gres=gpu:h100:4 --job-name=nlp-b --wrap 'sleep 600'
  sleep 1   # distinct start times: the newest job is the one running on borrowed capacity
  submit alice --qos=training --gres=gpu:h100:4 --job-name=nlp-c --wrap 'sleep 600'
  wait_until 15 three_running || true
  sleep 4   # a taskgov cycle records the borrowing on the job
  show_queue
  show_limits

  banner "2. a request no limit of nlp could ever admit is refused at submit"
  submit alice --qos=training -N2 --gres=gpu:h100:8 --job-name=nlp-too-big --wrap true

  banner "3. vision needs its 8 H100 back: nlp's borrowed job is requeued, its in-quota jobs run on"
  submit bob --qos=inference -N1 --gres=gpu:h100:8 --job-name=vision-serve --wrap 'sleep 600'
  wait_until 15 three_running || true
  sleep 2
  show_queue
  show_limits
  banner "scontrol show job (the victim)"
  scontrol show job "${demo_jobs[2]}" | grep -E 'JobId|JobState|Restarts|AdminComment|Reason'

  banner "4. the demo's jobs end; sacct keeps the trail: team, class, borrowed, preempted_by, reason"
  scancel "${demo_jobs[@]}" 2>/dev/null || true
  wait_until 30 all_done || true
  sleep 3   # the last records reach slurmdbd
  show_accounting
}
# ============================================================ end of the scenario

banner "installing dependencies"
scripts/install-deps.sh
banner "building"
mode=on
if ! scripts/build.sh "${slurm[@]}"; then
  echo "demo: WARNING: the build failed; the demo runs with Slurm's stock plugins (TASKGOV_PLUGINS=off)" >&2
  mode=off
fi
banner "starting the local cluster (plugins $mode)"
TASKGOV_PLUGINS=$mode scripts/cluster.sh "${slurm[@]}" start
eval "$(scripts/cluster.sh "${slurm[@]}" env)"
jobdir=$TASKGOV_CLUSTER_DIR/jobs/demo
install -d -m 1777 "$jobdir"
demo_jobs=()
demo_scenario

banner "done"
cat <<EOF
The cluster is still running. To look around:
  eval "\$(scripts/cluster.sh ${slurm[*]} env)"; squeue; sacct -X
  tail $TASKGOV_CLUSTER_DIR/log/slurmctld.log
Stop it with: scripts/cluster.sh ${slurm[*]} stop
EOF
