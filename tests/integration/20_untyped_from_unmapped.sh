#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# unmapped_accounts: allow. A job submitted to an unmapped account asks for untyped GPUs (it is
# nobody's, so nothing types it); its owner moves it to a team's account with `scontrol update
# Account=`: the move types it to the team's only GPU type and stamps it, so it counts against
# the team's gres/gpu:<type> limit when it runs.
. "$(dirname "$0")/lib.sh"

tg_governed_scenario '"unmapped_accounts": "allow"' '[
    {"name": "speech", "account": "speech", "quota": [{"gres": "gpu:a100", "count": 4}]}
  ]'

tg_submit carol -A sandbox --hold --gres=gpu:2 --wrap 'sleep 30' || tg_fatal "carol's sandbox job submitted"
job=$TG_JOB
tg_assert_eq "in the unmapped account the request stays untyped" "${TG_GRES}gpu:2" "$(tg_scontrol "$job" TresPerNode)"
tg_assert_eq "and the job carries no team" "" "$(tg_scontrol "$job" AdminComment)"

tg_assert_ok "carol moves it to speech" runuser -u carol -- scontrol update jobid="$job" Account=speech
tg_assert_eq "the move typed it to speech's only GPU type" "${TG_GRES}gpu:a100:2" "$(tg_scontrol "$job" TresPerNode)"
tg_assert_eq "and stamped team and class" "taskgov:team=speech;class=experimentation" \
  "$(tg_scontrol "$job" AdminComment)"
tg_assert_contains "its requested TRES count the typed GPUs" "gres/gpu:a100=2" "$(tg_scontrol "$job" TRES)$(tg_scontrol "$job" ReqTRES)"  # ReqTRES= in 24.11

tg_assert_ok "carol releases it" runuser -u carol -- scontrol release "$job"
if tg_wait_state "$job" RUNNING 20; then
  tg_assert_contains "sacct: it holds 2 A100 as team speech's GPUs" "gres/gpu:a100=2" "$(tg_sacct_set "$job" AllocTRES)"
  tg_assert_eq "sacct: in account speech" speech "$(tg_sacct "$job" Account)"
fi
tg_done
