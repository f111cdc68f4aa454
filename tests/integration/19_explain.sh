#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `taskgov explain` on the borrowing scenario, for a job in each state: nlp's first job runs
# within quota, its third runs on 4 H100 borrowed from vision, its fourth waits blocked above
# quota + borrow cap (12), and vision's small job waits in quota behind nothing. Bad input: an
# unknown job (exit 3), a malformed job id (exit 2), an unreadable policy (exit 1). A preempted
# job is explained in 18_decision_records.
. "$(dirname "$0")/lib.sh"

[ -x "$TG_TASKGOV" ] || tg_skip "taskgov is not built"
tg_governed_scenario '' "$TG_BORROWING_TEAMS"
H=gres/gpu:h100

declare -a nlp
tg_nlp_borrows nlp 4
sleep 2       # a cycle after the last start

# explain DESC JOB NEEDLE...: exit 0 and every needle in the answer.
explain() {
  local desc=$1 job=$2 needle
  shift 2
  tg_run "$TG_TASKGOV" explain "$job"
  tg_assert_eq "$desc: exit 0" 0 "$TG_RC"
  for needle; do tg_assert_contains "$desc: \"$needle\"" "$needle" "$TG_OUT"; done
}

explain "nlp's first job" "${nlp[1]}" \
  "Job ${nlp[1]} (user alice, account nlp, QOS experimentation) is RUNNING." \
  "It belongs to team nlp, class experimentation." \
  "It runs within its team's quota: nlp holds 12 $H against a quota of 8"
explain "nlp's third job" "${nlp[3]}" \
  "It runs on borrowed capacity: it is part of nlp's borrowed excess on $H (nlp holds 12 against a quota of 8, 4 borrowed). The pool it borrows from: vision lends 4." \
  "It is number 1 of 3 running jobs in taskgov's victim order"
explain "nlp's fourth job" "${nlp[4]}" \
  "is PENDING, Slurm's reason AssocGrp" \
  "Band blocked: blocked on $H: nlp would hold 16, above quota 8 + borrow cap 4 = 12." \
  "The limit that holds it: nlp on $H, use 12 / quota 8 / limit now 12 (quota + borrow cap 12)." \
  "Ahead of it in taskgov's order: 0 pending jobs of team nlp, 0 in the cluster." \
  "its running jobs must release 4 $H"

tg_submit bob --gres=gpu:h100:2 --begin=now+600 --wrap true || tg_fatal "vision's job submitted"
vision=$TG_JOB
sleep 2
explain "vision's job, waiting for its begin time" "$vision" \
  "It belongs to team vision, class experimentation." \
  "Band in-quota: in quota: vision would hold 2 $H of its quota 8." \
  "Ahead of it in taskgov's order: 0 pending jobs of team vision, 0 in the cluster." \
  "It fits in its team's quota and is first in line" \
  "When the nodes are full, Slurm may preempt for it: 1 job of team nlp (reclaim)."

tg_assert_error "an unknown job: exit 3, says neither slurmctld nor slurmdbd knows it" 3 \
  "job 987654 is unknown: slurmctld does not know it and slurmdbd (sacct) has no record of it" \
  "$TG_TASKGOV" explain 987654
tg_assert_error "a malformed job id: exit 2" 2 "'12x' is not a job id" "$TG_TASKGOV" explain 12x
tg_assert_error "an unreadable policy: exit 1, names the file" 1 \
  "/nonexistent.json: cannot read the policy file: No such file or directory" \
  "$TG_TASKGOV" explain --policy /nonexistent.json "${nlp[1]}"
tg_done
