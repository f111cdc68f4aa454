#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# An update Slurm refuses (Account=vision with a partition or a reservation that does not exist)
# leaves the job as it was: team, class and account, held or waiting; the same move without the
# bad field restamps it.
. "$(dirname "$0")/lib.sh"

[ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
tg_cluster_mode on
tg_clean_slate

tg_submit alice --hold --gres=gpu:h100:1 --wrap 'sleep 1' || tg_fatal "alice's job submitted"
job=$TG_JOB
tg_assert_eq "the job starts in team nlp" "taskgov:team=nlp;class=experimentation" "$(tg_scontrol "$job" AdminComment)"

tg_assert_fails "Slurm refuses Account=vision Partition=bogus" \
  runuser -u alice -- scontrol update jobid="$job" Account=vision Partition=bogus
tg_assert_eq "the account is unchanged" nlp "$(tg_scontrol "$job" Account)"
tg_assert_eq "and so is the team in AdminComment" "taskgov:team=nlp;class=experimentation" \
  "$(tg_scontrol "$job" AdminComment)"

tg_submit alice --begin=now+600 --gres=gpu:h100:1 --wrap 'sleep 1' || tg_fatal "alice's waiting job submitted"
waiting=$TG_JOB
tg_assert_fails "Slurm refuses Account=vision Reservation=bogus" \
  runuser -u alice -- scontrol update jobid="$waiting" Account=vision Reservation=bogus
tg_assert_eq "the waiting job's account is unchanged" nlp "$(tg_scontrol "$waiting" Account)"
tg_assert_eq "and so is its team" "taskgov:team=nlp;class=experimentation" "$(tg_scontrol "$waiting" AdminComment)"

tg_assert_ok "Account=vision alone is accepted" runuser -u alice -- scontrol update jobid="$job" Account=vision
tg_assert_eq "the job is now vision's" "taskgov:team=vision;class=experimentation" "$(tg_scontrol "$job" AdminComment)"
tg_assert_ok "alice releases it" runuser -u alice -- scontrol release "$job"
if tg_wait_state "$job" COMPLETED 30; then
  tg_assert_eq "sacct: it ran in account vision" vision "$(tg_sacct "$job" Account)"
  tg_assert_contains "sacct: with team vision in AdminComment" "team=vision" "$(tg_sacct "$job" AdminComment)"
fi
tg_done
