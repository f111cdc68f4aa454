#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The demo (run as root): installs dependencies, builds, starts the local cluster with the taskgov
# plugins and the sample policy (etc/taskgov.json), runs a short scenario and shows what happened
# with squeue and sacct. The cluster stays up afterwards; scripts/cluster.sh stop stops it.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
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
  banner "sacct"
  sacct -X -j "$(IFS=,; echo "${demo_jobs[*]}")" \
    -o JobID,User,Account%12,QOS%16,State%10,AllocTRES%70,AdminComment%60
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
some_running() { [ -n "$(demo_jobs_in R)" ]; }
all_done() { [ -z "$(demo_jobs_in PD,R,CG)" ]; }

# ============================================================ the scenario (extend here)
# Teams (etc/taskgov.json): nlp (alice; dave through nlp-interns), vision (bob; alice too),
# speech (carol). Classes: inference > training > experimentation.
demo_scenario() {
  banner "GPU jobs of three teams"
  submit alice --qos=training --gres=gpu:h100:4 --job-name=nlp-train --wrap 'sleep 8'
  submit bob --qos=inference --gres=gpu:h100:8 --job-name=vision-serve --wrap 'sleep 8'
  submit carol --qos=training --gres=gpu:a100:2 --job-name=speech-train --wrap 'sleep 8'
  submit dave --qos=experimentation --gres=gpu:h100:2 --job-name=intern-exp --wrap 'sleep 8'
  submit alice -A vision --qos=experimentation --gres=gpu:h100:8 --job-name=vision-exp --wrap 'sleep 4'
  wait_until 15 some_running || true
  show_queue
  banner "waiting for the jobs to finish (AdminComment reaches sacct at job end)"
  wait_until 90 all_done || echo "demo: some jobs are still queued after 90 s"
  sleep 3                                     # the last records reach slurmdbd
  show_accounting
}
# ============================================================ end of the scenario

banner "installing dependencies"
scripts/install-deps.sh
banner "building"
mode=on
if ! scripts/build.sh; then
  echo "demo: WARNING: the build failed; the demo runs with Slurm's stock plugins (TASKGOV_PLUGINS=off)" >&2
  mode=off
fi
banner "starting the local cluster (plugins $mode)"
TASKGOV_PLUGINS=$mode scripts/cluster.sh start
eval "$(scripts/cluster.sh env)"
jobdir=$TASKGOV_CLUSTER_DIR/jobs/demo
install -d -m 1777 "$jobdir"
demo_jobs=()
demo_scenario

banner "done"
cat <<EOF
The cluster is still running. To look around:
  eval "\$(scripts/cluster.sh env)"; squeue; sacct -X
  tail $TASKGOV_CLUSTER_DIR/log/slurmctld.log
Stop it with: scripts/cluster.sh stop
EOF
