#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# cluster.enforce_derived: the CPUs a team's quota derives from its accelerators go into its
# GrpTRES too, so a CPU-only job cannot take more of the GPU nodes' CPUs than the team's share:
# nlp (8 H100, so 192 CPUs by the nodes' shape; lends only) cannot run a job of 200 CPUs.
. "$(dirname "$0")/lib.sh"

teams='[{"name": "nlp", "account": "nlp", "sharing": "lend",
         "quota": [{"gres": "gpu:h100", "count": 8}]}]'
tg_governed_scenario '"enforce_derived": true' "$teams"

for _ in $(seq 1 25); do [[ $(tg_grp_tres nlp) == *cpu=192* ]] && break; sleep 0.2; done
tg_assert_match "nlp's GrpTRES carries the derived CPUs" "cpu=192" "$(tg_grp_tres nlp)"
tg_submit alice -N2 --ntasks-per-node=1 -c 100 --wrap 'sleep 30' || tg_fatal "alice's CPU-only job submitted"
big=$TG_JOB
sleep 4
tg_assert_eq "200 CPUs stay pending" PENDING "$(tg_squeue "$big" %T)"
# AssocGrpJobsLimit once taskgov pins the team, whose every waiting job that limit holds back.
tg_assert_match "held by the team's CPU limit" '^AssocGrp(CpuLimit|JobsLimit)$' "$(tg_squeue "$big" %r)"
tg_submit alice -N1 -c 96 --wrap 'sleep 1' || tg_fatal "alice's small job submitted"
tg_wait_state "$TG_JOB" COMPLETED 30 && tg_pass "96 CPUs run"

tg_policy '{
  "cluster": {"priority_classes": [{"name": "inference", "weight": 100},
                                   {"name": "training", "weight": 50},
                                   {"name": "experimentation", "weight": 10}],
              "cycle_seconds": 2},
  "teams": '"$teams"'}'
tg_wait_state "$big" RUNNING 20 && tg_pass "without enforce_derived the 200 CPUs run"
tg_done
