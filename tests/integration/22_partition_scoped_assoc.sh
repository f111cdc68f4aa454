#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A user whose only association in a team's account is partition-scoped (sacctmgr add user ...
# partition=gpu): job_submit/taskgov finds the association slurmctld finds, with the job's
# partition or the default one, so the job is typed, classed and stamped like any other.
. "$(dirname "$0")/lib.sh"

[ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
tg_cluster_mode on
tg_clean_slate

remove_assoc() { sacctmgr -i -Q delete user dave account=speech partition=gpu >/dev/null 2>&1 || true; }
trap 'remove_assoc; tg_cleanup' EXIT
remove_assoc
sacctmgr -i -Q add user dave account=speech partition=gpu \
  qos=normal,inference,training,experimentation >/dev/null || tg_fatal "sacctmgr add user dave partition=gpu"
for ((i = 0; i < 50; i++)); do
  scontrol show assoc_mgr users=dave accounts=speech flags=assoc 2>/dev/null | grep -q 'Partition=gpu' && break
  sleep 0.2
done

tg_submit dave -A speech --gres=gpu:1 --wrap 'sleep 1' || tg_fatal "dave's job (default partition) submitted"
job=$TG_JOB
tg_assert_eq "it is stamped with team speech" "taskgov:team=speech;class=experimentation" \
  "$(tg_scontrol "$job" AdminComment)"
tg_assert_eq "it gets the lowest class" experimentation "$(tg_scontrol "$job" QOS)"
tg_assert_eq "its untyped GPU is typed to speech's a100" "${TG_GRES}gpu:a100:1" "$(tg_scontrol "$job" TresPerNode)"

tg_submit dave -A speech -p gpu --qos=training --gres=gpu:a100:1 --wrap 'sleep 1' || tg_fatal "dave's job (-p gpu) submitted"
tg_assert_eq "with -p gpu too" "taskgov:team=speech;class=training" "$(tg_scontrol "$TG_JOB" AdminComment)"
if tg_wait_state "$job" COMPLETED 30; then
  tg_assert_eq "sacct: the job ran in account speech" speech "$(tg_sacct "$job" Account)"
  tg_assert_contains "sacct: on an A100" "gres/gpu:a100=1" "$(tg_sacct "$job" AllocTRES)"
fi
tg_done
