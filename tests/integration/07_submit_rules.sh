#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# job_submit/taskgov with the sample policy (etc/taskgov.json): an unmapped account is refused
# with its message; a mapped job gets AdminComment team/class and, without --qos, the lowest
# class; untyped GPU requests get the team's only type; proportional CPU/memory defaults; a
# request beyond quota + borrow limit is refused at submit; `scontrol update` cannot move a
# pending job past its team's limits.
. "$(dirname "$0")/lib.sh"

[ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
tg_cluster_mode on
tg_clean_slate

# sbatch_as USER ARGS...: sets OUT (stdout: the job id), ERR (stderr) and RC.
sbatch_as() {
  local user=$1 errfile
  shift
  errfile=$(mktemp)
  OUT=$(cd "$TG_JOBDIR" && runuser -u "$user" -- sbatch --parsable --chdir="$TG_JOBDIR" \
        -o "$TG_JOBDIR/%j.out" "$@" 2>"$errfile"); RC=$?
  ERR=$(cat "$errfile"); rm -f "$errfile"
  OUT=${OUT%%;*}
  [ -z "$OUT" ] || TG_JOBS+=("$OUT")
}

sbatch_as carol -A sandbox --wrap true
tg_assert_eq "an unmapped account is refused" 1 "$RC"
tg_assert_contains "the refusal names the account" "account 'sandbox' belongs to no team" "$ERR"
tg_assert_contains "the refusal names the teams" "nlp (account nlp), vision (account vision)" "$ERR"

sbatch_as alice --gres=gpu:h100:2 --wrap 'sleep 1'
job=$OUT
tg_assert_eq "a mapped job is accepted" 0 "$RC"
tg_assert_eq "without --qos the job gets the lowest class" experimentation "$(tg_scontrol "$job" QOS)"
tg_assert_eq "AdminComment names team and class" "taskgov:team=nlp;class=experimentation" \
  "$(tg_scontrol "$job" AdminComment)"
tg_assert_contains "sbatch tells the user" "taskgov: team nlp, class experimentation" "$ERR"

sbatch_as alice --gres=gpu:2 --wrap 'sleep 1'
untyped=$OUT
tg_assert_eq "an untyped GPU request of a one-type team is accepted" 0 "$RC"
tg_assert_eq "it is typed with the team's GPU type" "${TG_GRES}gpu:h100:2" "$(tg_scontrol "$untyped" TresPerNode)"
tg_assert_eq "proportional CPUs per GPU (192 CPUs / 8 GPUs)" "${TG_GRES}gpu:24" "$(tg_scontrol "$untyped" CpusPerTres)"
tg_assert_eq "proportional memory per GPU (2 TiB / 8 GPUs, in MiB)" "${TG_GRES}gpu:262144" \
  "$(tg_scontrol "$untyped" MemPerTres)"
tg_assert_contains "sbatch says what was added" "--cpus-per-gpu=24 --mem-per-gpu=256G" "$ERR"
tg_assert_contains "sbatch says which type was chosen" "GPU type set to h100" "$ERR"
if tg_wait_state "$untyped" COMPLETED 30; then
  tres=$(tg_sacct "$untyped" AllocTRES)
  tg_assert_eq "sacct: 2 of 8 GPUs got 48 CPUs" 48 "$(tg_tres "$tres" cpu)"
  tg_assert_eq "sacct: and 512 GiB" 512G "$(tg_tres "$tres" mem)"
fi

sbatch_as carol -A speech --gres=neuron:4 --wrap 'sleep 1'
neuron=$OUT
tg_assert_eq "a neuron job is accepted" 0 "$RC"
if tg_wait_state "$neuron" COMPLETED 30; then
  tres=$(tg_sacct "$neuron" AllocTRES)
  tg_assert_eq "sacct: 4 of 16 neuron devices got 32 CPUs (128 / 16 each)" 32 "$(tg_tres "$tres" cpu)"
  tg_assert_eq "sacct: and 128 GiB (512 GiB / 16 each)" 128G "$(tg_tres "$tres" mem)"
fi

sbatch_as bob --gres=gpu:2 --wrap true
tg_assert_eq "an untyped GPU request of a two-type team is refused" 1 "$RC"
tg_assert_contains "the refusal lists the team's types" "several GPU types (a100, h100)" "$ERR"

sbatch_as alice -N2 --gres=gpu:h100:8 --wrap true
tg_assert_eq "16 H100 for a team with quota 8 and borrow cap 4 is refused" 1 "$RC"
tg_assert_contains "the refusal names team, request and limit" \
  "team nlp can never run this job: it asks for 16 gres/gpu:h100 but the team's limit is 12 (quota 8 + borrow cap 4)" "$ERR"
tg_assert_contains "sbatch shows Slurm's accounting-policy error" "accounting/QOS policy" "$ERR"

sbatch_as alice --qos=normal --gres=gpu:h100:1 --wrap true
tg_assert_eq "a QOS that is no priority class is refused" 1 "$RC"
tg_assert_contains "the refusal lists the classes" "use --qos= one of: inference, training, experimentation" "$ERR"

# Slurm 24.11 accepts a list of QOS; a governed job has one class.
sbatch_as alice --qos=training,inference --gres=gpu:h100:1 --wrap true
tg_assert_eq "a list of QOS is refused" 1 "$RC"
tg_assert_contains "the refusal says why and lists the classes" \
  "--qos='training,inference' lists several QOS, but a job of a team has one priority class; use --qos= one of:" "$ERR"

sbatch_as alice --hold -N2 --gres=gpu:h100:2 --wrap true
held=$OUT
tg_log_mark
out=$(scontrol update jobid="$held" TresPerNode=${TG_GRES}gpu:h100:8 2>&1); rc=$?
tg_assert_eq "scontrol update to 16 H100 is refused" 1 "$rc"
tg_assert_contains "scontrol prints the accounting-policy error" "accounting/QOS policy" "$out"
tg_assert_eq "the pending job keeps its request" "${TG_GRES}gpu:h100:2" "$(tg_scontrol "$held" TresPerNode)"
tg_assert_contains "slurmctld.log says why" "refused update of JobId=$held" "$(tg_log_since)"
tg_assert_ok "a change within the limits is accepted" scontrol update jobid="$held" TresPerNode=${TG_GRES}gpu:h100:4
tg_assert_eq "and applied" "${TG_GRES}gpu:h100:4" "$(tg_scontrol "$held" TresPerNode)"
tg_done
