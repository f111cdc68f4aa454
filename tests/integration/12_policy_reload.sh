#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A bad taskgov.json at `scontrol reconfigure`: slurmctld keeps running, its log names file, line
# and column, and the old policy is still enforced; fixing the file and reconfiguring applies
# the new one.
. "$(dirname "$0")/lib.sh"

[ "$(tg_default_mode)" = on ] || tg_skip "the taskgov plugins are not built"
tg_cluster_mode on
tg_clean_slate
installed=$TASKGOV_CLUSTER_DIR/etc/taskgov.json
TG_POLICY_CHANGED=1   # the sample policy comes back at exit

refused() {   # DESC: carol's sandbox job is refused as unmapped
  local out
  out=$(cd "$TG_JOBDIR" && runuser -u carol -- sbatch -A sandbox -o /dev/null --wrap true 2>&1)
  tg_assert_contains "$1" "account 'sandbox' belongs to no team" "$out"
}
refused "with the sample policy, account sandbox is refused"

# Line 4, column 87 holds the bad value.
cat >"$installed" <<'JSON'
{
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]},
  "teams": [
    {"name": "sandbox", "account": "sandbox", "quota": [{"gres": "gpu:h100", "count": "eight"}]}
  ]
}
JSON
tg_log_mark
tg_assert_ok "scontrol reconfigure is accepted" scontrol reconfigure
sleep 2
tg_assert_ok "slurmctld keeps running" scontrol ping
log=$(tg_log_since)
tg_assert_contains "the log names file, line, column and path" \
  "policy refused: $installed:4:87: teams[0].quota[0].count:" "$log"
tg_assert_contains "the log says the last good policy stays" "the last good policy stays in force" "$log"
refused "the old policy is still enforced"

cat >"$installed" <<'JSON'
{
  "cluster": {"priority_classes": [{"name": "training", "weight": 50}]},
  "teams": [
    {"name": "sandbox", "account": "sandbox", "quota": [{"gres": "gpu:h100", "count": 8}]}
  ]
}
JSON
tg_log_mark
tg_assert_ok "scontrol reconfigure with the fixed file" scontrol reconfigure
sleep 2
tg_assert_contains "the log reports the new policy" "policy $installed loaded: 1 teams, 1 classes" "$(tg_log_since)"
if tg_submit carol -A sandbox --gres=gpu:h100:1 --wrap true; then
  tg_pass "the new policy applies: account sandbox is a team now"
  tg_assert_eq "its job is stamped with the new team and class" "taskgov:team=sandbox;class=training" \
    "$(tg_scontrol "$TG_JOB" AdminComment)"
else
  tg_fail "the new policy applies: account sandbox is a team now"
fi
tg_done
