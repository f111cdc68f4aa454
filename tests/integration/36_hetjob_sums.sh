#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A heterogeneous job's components are judged together at submit: nlp (8 H100, borrows 50 %, so
# at most 12) may not submit a hetjob of 8 + 8 H100, though each component alone fits; 8 + 4
# is accepted, runs, and both components are typed and stamped. The same holds for salloc.
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '' "$TG_BORROWING_TEAMS"

script=$TG_JOBDIR/job.sh
printf '#!/bin/sh\nsleep 30\n' >"$script"
chmod 0755 "$script"

tg_run runuser -u alice -- sbatch --parsable -o /dev/null --gres=gpu:h100:8 : --gres=gpu:h100:8 "$script"
tg_assert_eq "sbatch of a hetjob of 8 + 8 H100 fails" 1 "$TG_RC"
tg_assert_contains "the refusal sums the components" \
  "asks for 16 gres/gpu:h100 with the heterogeneous job's earlier components but the team's limit is 12" "$TG_ERR"

tg_run runuser -u alice -- salloc --no-shell --gres=gpu:h100:4 : --gres=gpu:h100:9
tg_assert_contains "salloc of a hetjob of 4 + 9 H100 is refused with the sum" \
  "asks for 13 gres/gpu:h100 with the heterogeneous job's earlier components" "$TG_ERR"

tg_run runuser -u alice -- sbatch --parsable -o /dev/null --gres=gpu:h100:8 : --gres=gpu:4 "$script"
tg_assert_eq "sbatch of a hetjob of 8 + 4 H100 succeeds" 0 "$TG_RC"
leader=${TG_OUT%%;*}
TG_JOBS+=("$leader")
# Slurm starts hetjobs from the backfill scheduler only (every 30 s by default).
for _ in $(seq 1 200); do
  components=$(scontrol show job -o "$leader")
  [ "$(grep -c 'JobState=RUNNING' <<<"$components")" = 2 ] && break
  sleep 0.2
done
tg_assert_eq "both components run" 2 "$(grep -c 'JobState=RUNNING' <<<"$components")"
tg_assert_eq "both components are stamped" 2 "$(grep -c 'AdminComment=taskgov:team=nlp;class=' <<<"$components")"
# 22.05 prints TRES=, 24.11 AllocTRES=.
tg_assert_eq "both components hold typed GPUs" 2 "$(grep -Ec ' (Alloc)?TRES=[^ ]*gres/gpu:h100=(8|4)' <<<"$components")"
tg_done
