#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Jobs submitted in shadow mode keep untyped GPU requests (shadow changes nothing). When the
# policy switches to enforce, every pending job of a team is typed before it can start: to the
# team's only GPU type, or, for a team with several, held with the reason in squeue.
. "$(dirname "$0")/lib.sh"

teams='[
    {"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "vision", "account": "vision",
     "quota": [{"gres": "gpu:h100", "count": 4}, {"gres": "gpu:a100", "count": 4}]}
  ]'
tg_governed_scenario '"mode": "shadow"' "$teams"

tg_submit alice --hold --gres=gpu:2 --wrap 'sleep 30' || tg_fatal "alice's held job submitted"
held=$TG_JOB
tg_submit alice --begin=now+600 --gres=gpu:1 --wrap 'sleep 30' || tg_fatal "alice's later job submitted"
later=$TG_JOB
tg_submit bob --hold --gres=gpu:2 --wrap 'sleep 30' || tg_fatal "bob's held job submitted"
several=$TG_JOB
tg_assert_eq "shadow mode leaves the request untyped" "${TG_GRES}gpu:2" "$(tg_scontrol "$held" TresPerNode)"

tg_policy '{
  "cluster": {"priority_classes": [{"name": "inference", "weight": 100},
                                   {"name": "training", "weight": 50},
                                   {"name": "experimentation", "weight": 10}],
              "cycle_seconds": 2},
  "teams": '"$teams"'}'
tg_assert_eq "enforce typed the held job" "${TG_GRES}gpu:h100:2" "$(tg_scontrol "$held" TresPerNode)"
tg_assert_eq "and the job waiting for its begin time" "${TG_GRES}gpu:h100:1" "$(tg_scontrol "$later" TresPerNode)"
tg_assert_contains "the log says so" "untyped GPU request typed to gpu:h100" "$(tg_log_since)"
tg_assert_match "a team with two GPU types: the job is held, squeue says why" \
  "several GPU types \(a100, h100\).*held" "$(tg_squeue "$several" %R)"

tg_assert_ok "alice releases her job" runuser -u alice -- scontrol release "$held"
if tg_wait_state "$held" RUNNING 20; then
  tg_assert_contains "sacct: it runs on nlp's H100" "gres/gpu:h100=2" "$(tg_sacct_set "$held" AllocTRES)"
fi
tg_assert_fails "bob cannot release the job taskgov cannot type" runuser -u bob -- scontrol release "$several"
tg_assert_eq "it stays pending" PENDING "$(tg_squeue "$several" %T)"
tg_assert_contains "slurmctld.log says why" "refused update of JobId=$several" "$(tg_log_since)"
tg_done
