#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `taskgov sync` against slurmdbd, with a policy that names a team whose account does not exist
# (tg17_team) and a class whose QOS does not exist (tg17_class): the dry run prints the sacctmgr
# commands and changes nothing; --apply makes them; a second run has nothing to do. What the
# policy does not name survives --apply and --apply --prune (taskgov(1): nothing is ever
# deleted): an account, an administrator's QOS and access to it. --prune takes back only the
# access to a QOS that carries sync's description and is no class any more. Everything the test
# made is removed at the end, so later tests see the usual accounts and QOS.
. "$(dirname "$0")/lib.sh"

[ -x "$TG_TASKGOV" ] || tg_skip "taskgov is not built"
tg_cluster_up
cluster=$(tg_config ClusterName)

remove_ours() {
  local account user list ours
  # Slurm 22.05 deletes a QOS from the associations listing it by cutting ",ID," out of their
  # QOS strings, which glues the neighbouring ids together (",4,14,15," loses 4 and 15): take
  # our QOS out of every association first, the way sacctmgr does it right (qos-=).
  while IFS='|' read -r account user list; do
    ours=$(tr , '\n' <<<"$list" | grep '^tg17_' | paste -sd,)
    [[ -n $user && -n $ours ]] || continue
    sacctmgr -i modify user where name="$user" account="$account" cluster="$cluster" set qos-="$ours" >/dev/null 2>&1
  done < <(sacctmgr -nP show assoc where cluster="$cluster" format=account,user,qos)
  sacctmgr -i delete account tg17_team tg17_spare >/dev/null 2>&1
  sacctmgr -i delete qos tg17_class tg17_admin tg17_retired >/dev/null 2>&1
  true
}
trap 'remove_ours; tg_cleanup' EXIT
remove_ours   # leftovers of an interrupted run

assocs() { sacctmgr -nP show assoc where cluster="$cluster" format=account,user,parentname,qos; }
qos() { sacctmgr -nP show qos format=name,priority,description; }
user_qos() { sacctmgr -nP show assoc where cluster="$cluster" account="$1" user="$2" format=qos; }
usual="$(assocs)
$(qos)"

policy=$TG_JOBDIR/policy.json
cat >"$policy" <<'JSON'
{
  "cluster": {"priority_classes": [{"name": "inference", "weight": 100},
                                   {"name": "training", "weight": 50},
                                   {"name": "experimentation", "weight": 10},
                                   {"name": "tg17_class", "weight": 5}]},
  "teams": [
    {"name": "nlp", "account": "nlp", "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "tg17", "account": "tg17_team", "quota": [{"gres": "gpu:a100", "count": 4}]}
  ]
}
JSON

# What the policy does not name: an account, an administrator's QOS that alice may use in nlp,
# and a QOS that looks like one sync made for a class the policy has dropped, also alice's.
sacctmgr -i add account tg17_spare Cluster="$cluster" Description='not in the policy' >/dev/null ||
  tg_fatal "sacctmgr add account tg17_spare"
sacctmgr -i add qos tg17_admin Priority=7 Description='made by an administrator' >/dev/null ||
  tg_fatal "sacctmgr add qos tg17_admin"
sacctmgr -i add qos tg17_retired Priority=3 Description='taskgov priority class' >/dev/null ||
  tg_fatal "sacctmgr add qos tg17_retired"
sacctmgr -i modify user where name=alice account=nlp cluster="$cluster" set qos+=tg17_admin,tg17_retired >/dev/null ||
  tg_fatal "sacctmgr gives alice tg17_admin and tg17_retired in nlp"
alice_before=$(user_qos nlp alice)
tg_assert_eq "sacctmgr: alice's QOS in nlp before sync" \
  "experimentation,inference,normal,tg17_admin,tg17_retired,training" "$alice_before"

plan="# account tg17_team of team tg17 does not exist on cluster $cluster
sacctmgr -i add account tg17_team Cluster=$cluster Description='taskgov team tg17'
# QOS tg17_class for priority class tg17_class (weight 5) does not exist
sacctmgr -i add qos tg17_class Priority=5 Description='taskgov priority class'
# user alice in account nlp cannot use class QOS tg17_class
sacctmgr -i modify user where name=alice account=nlp cluster=$cluster set qos+=tg17_class
# user dave in account nlp-interns cannot use class QOS tg17_class
sacctmgr -i modify user where name=dave account=nlp-interns cluster=$cluster set qos+=tg17_class"

# ---------------------------------------------------------------- dry run
state_before="$(assocs)
$(qos)"
tg_run "$TG_TASKGOV" sync --policy "$policy"
tg_assert_eq "sync: exit 0, nothing on stderr" "0 ''" "$TG_RC '$TG_ERR'"
tg_assert_eq "sync: the account, the QOS, then access for nlp's users (alice in nlp, dave in nlp-interns)" \
  "$plan
# 4 changes; run again with --apply to carry them out" "$TG_OUT"
tg_assert_eq "sync without --apply changes nothing in slurmdbd" "$state_before" "$(assocs)
$(qos)"
tg_assert_eq "sacctmgr: no account tg17_team yet" "" "$(sacctmgr -nP show account tg17_team format=account)"
tg_assert_eq "sacctmgr: no QOS tg17_class yet" "" "$(sacctmgr -nP show qos tg17_class format=name)"

# ---------------------------------------------------------------- --apply
tg_run "$TG_TASKGOV" sync --apply --policy "$policy"
tg_assert_eq "sync --apply: exit 0, nothing on stderr" "0 ''" "$TG_RC '$TG_ERR'"
tg_assert_eq "sync --apply: prints each command as it runs it" "$plan" "$TG_OUT"
tg_assert_eq "sacctmgr: account tg17_team on the cluster, under root, no users" "tg17_team|root|" \
  "$(sacctmgr -nP show assoc where cluster="$cluster" account=tg17_team format=account,parentname,user)"
tg_assert_eq "sacctmgr: tg17_team is described as the team's" "taskgov team tg17" \
  "$(sacctmgr -nP show account tg17_team format=description)"
tg_assert_eq "sacctmgr: QOS tg17_class, Priority = the class's weight" "tg17_class|5|taskgov priority class" \
  "$(sacctmgr -nP show qos tg17_class format=name,priority,description)"
tg_assert_eq "sacctmgr: alice may use tg17_class in nlp, and keeps the rest" \
  "experimentation,inference,normal,tg17_admin,tg17_class,tg17_retired,training" "$(user_qos nlp alice)"
tg_assert_eq "sacctmgr: dave may use tg17_class in nlp-interns" \
  "experimentation,inference,normal,tg17_class,training" "$(user_qos nlp-interns dave)"
tg_assert_eq "sacctmgr: alice in vision (no team of this policy) is left alone" \
  "experimentation,inference,normal,training" "$(user_qos vision alice)"
tg_assert_eq "sacctmgr: account tg17_spare, which the policy does not name, survives --apply" \
  tg17_spare "$(sacctmgr -nP show account tg17_spare format=account)"
tg_assert_eq "sacctmgr: QOS tg17_admin and tg17_retired survive --apply" "tg17_admin
tg17_retired" "$(sacctmgr -nP show qos tg17_admin,tg17_retired format=name | sort)"

tg_run "$TG_TASKGOV" sync --policy "$policy"
tg_assert_eq "a second sync: nothing to do, exit 0" \
  "0 slurmdbd is in sync with $policy on cluster $cluster" "$TG_RC $TG_OUT"

# ---------------------------------------------------------------- --prune
prune="# user alice in account nlp may still use QOS tg17_retired, created by taskgov for a class the policy no longer has
sacctmgr -i modify user where name=alice account=nlp cluster=$cluster set qos-=tg17_retired"
state_before="$(assocs)
$(qos)"
tg_run "$TG_TASKGOV" sync --prune --policy "$policy"
tg_assert_eq "sync --prune: takes back access to the retired taskgov QOS only" "0 $prune
# 1 change; run again with --apply to carry them out" "$TG_RC $TG_OUT"
tg_assert_eq "sync --prune without --apply changes nothing" "$state_before" "$(assocs)
$(qos)"
tg_run "$TG_TASKGOV" sync --apply --prune --policy "$policy"
tg_assert_eq "sync --apply --prune: exit 0, prints the command" "0 $prune" "$TG_RC $TG_OUT"
tg_assert_eq "sacctmgr: alice lost tg17_retired in nlp, kept the administrator's tg17_admin" \
  "experimentation,inference,normal,tg17_admin,tg17_class,training" "$(user_qos nlp alice)"
tg_assert_eq "sacctmgr: no QOS is deleted by --apply --prune (man page: nothing is ever deleted)" \
  "tg17_admin|7
tg17_class|5
tg17_retired|3" "$(sacctmgr -nP show qos tg17_admin,tg17_class,tg17_retired format=name,priority | sort)"
tg_assert_eq "sacctmgr: no account is deleted by --apply --prune" "tg17_spare
tg17_team" "$(sacctmgr -nP show account tg17_spare,tg17_team format=account | sort)"
tg_run "$TG_TASKGOV" sync --prune --policy "$policy"
tg_assert_eq "sync --prune afterwards: nothing to do" \
  "0 slurmdbd is in sync with $policy on cluster $cluster" "$TG_RC $TG_OUT"

# ---------------------------------------------------------------- bad input
tg_assert_error "sync --policy /nonexistent: exit 1, names the file" 1 \
  "/nonexistent: cannot read the policy file: No such file or directory" "$TG_TASKGOV" sync --policy /nonexistent
tg_assert_error "sync --apply --policy /nonexistent changes nothing either" 1 \
  "/nonexistent: cannot read the policy file" "$TG_TASKGOV" sync --apply --policy /nonexistent

tg_assert_error "an unknown --cluster: exit 2, nothing planned" 2 "slurmdbd knows no cluster 'nosuch'" \
  "$TG_TASKGOV" sync --cluster nosuch

# ---------------------------------------------------------------- back to the usual cluster
remove_ours
tg_assert_eq "after clean-up, slurmdbd has the usual accounts, users and QOS" "$usual" "$(assocs)
$(qos)"
tg_done
