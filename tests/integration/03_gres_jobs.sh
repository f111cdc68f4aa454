#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Typed GPU, multi-node and neuron jobs run to COMPLETED on the emulated nodes and are accounted
# with the exact GRES in sacct's AllocTRES (sbatch, srun, squeue, scontrol, sacct).
# shellcheck disable=SC2016  # job scripts in single quotes expand in the job
. "$(dirname "$0")/lib.sh"

tg_cluster_up

# submit VAR USER ARGS...: VAR gets the job id, or stays empty (a failure) when sbatch refuses.
submit() {
  local var=$1
  shift
  if tg_submit "$@"; then printf -v "$var" %s "$TG_JOB"
  else printf -v "$var" %s ""; tg_fail "sbatch as $1 ${*:2} is accepted"; fi
}
submit h100 alice --gres=gpu:h100:2 --wrap 'echo "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"; sleep 2'
submit multi bob -N2 --gres=gpu:a100:1 --wrap 'srun -l hostname'
submit neuron carol --gres=neuron:4 --wrap true

# While it runs: squeue and scontrol show the h100 job and what it holds.
if [ -n "$h100" ] && tg_wait_state "$h100" RUNNING 20; then
  tg_assert_eq "squeue: h100 job's per-node GRES request" "${TG_GRES}gpu:h100:2" "$(tg_squeue "$h100" %b)"
  tg_assert_match "squeue: h100 job runs on an h100 node" '^h100-[12]$' "$(tg_squeue "$h100" %N)"
  tg_assert_eq "scontrol: h100 job's allocated GPUs" \
    "gres/gpu:h100=2,gres/gpu=2" "$(tg_gres "$(tg_scontrol "$h100" TRES)$(tg_scontrol "$h100" AllocTRES)")"  # AllocTRES= in 24.11
fi

# An interactive srun as dave (account nlp-interns, team nlp: h100 quota in the sample policy).
srun_out=$(cd "$TG_JOBDIR" && runuser -u dave -- srun --chdir="$TG_JOBDIR" --gres=gpu:h100:2 \
           bash -c 'echo "job=$SLURM_JOB_ID CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES"' 2>&1)
tg_assert_match "srun --gres=gpu:h100:2 sees two GPUs" 'CUDA_VISIBLE_DEVICES=[0-7],[0-7]$' "$srun_out"
srun_job=$(sed -n 's/^job=\([0-9]*\) .*/\1/p' <<<"$srun_out")
[ -n "$srun_job" ] || tg_fail "srun as dave ran" "a job id" "$srun_out"
[ -z "$srun_job" ] || TG_JOBS+=("$srun_job")

for job in $h100 $multi $neuron $srun_job; do
  tg_wait_state "$job" COMPLETED 30
done

if [ -n "$h100" ]; then
  tres=$(tg_sacct "$h100" AllocTRES)
  tg_assert_eq "sacct: h100 job's AllocTRES GRES" "gres/gpu:h100=2,gres/gpu=2" "$(tg_gres "$tres")"
  tg_assert_eq "sacct: h100 job on one node" 1 "$(tg_tres "$tres" node)"
  tg_assert_match "sacct: h100 job's node" '^h100-[12]$' "$(tg_sacct "$h100" NodeList)"
  tg_assert_eq "the h100 job saw its two GPUs" "CUDA_VISIBLE_DEVICES=0,1" "$(tg_output "$h100")"
fi

if [ -n "$multi" ]; then
  tres=$(tg_sacct "$multi" AllocTRES)
  tg_assert_eq "sacct: 2-node job's AllocTRES GRES (one a100 per node)" \
    "gres/gpu:a100=2,gres/gpu=2" "$(tg_gres "$tres")"
  tg_assert_eq "sacct: 2-node job on two nodes" 2 "$(tg_tres "$tres" node)"
  tg_assert_eq "sacct: 2-node job's nodes" "a100-[1-2]" "$(tg_sacct "$multi" NodeList)"
  tg_assert_eq "srun -l inside the 2-node job ran tasks 0 and 1" "0,1" \
    "$(tg_output "$multi" | cut -d: -f1 | sort | paste -sd,)"
fi

if [ -n "$neuron" ]; then
  tres=$(tg_sacct "$neuron" AllocTRES)
  tg_assert_eq "sacct: neuron job's AllocTRES GRES" "gres/neuron=4" "$(tg_gres "$tres")"
  tg_assert_eq "sacct: neuron job's node" trn-1 "$(tg_sacct "$neuron" NodeList)"
fi

if [ -n "$srun_job" ]; then
  tg_assert_eq "sacct: srun job's AllocTRES GRES" "gres/gpu:h100=2,gres/gpu=2" \
    "$(tg_gres "$(tg_sacct "$srun_job" AllocTRES)")"
  tg_assert_eq "sacct: srun job's account is dave's" nlp-interns "$(tg_sacct "$srun_job" Account)"
fi
tg_done
