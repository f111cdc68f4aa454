#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# From nothing (reset: no state, no slurm_acct_db) to the first job COMPLETED in sacct, well
# under 30 s; prints the cold start timings.
. "$(dirname "$0")/lib.sh"

mode=$(tg_default_mode)
tg_log "reset, then cold start with plugins $mode"
"$TG_CLUSTER" reset || tg_fatal "scripts/cluster.sh reset failed"
tg_assert_fails "slurm_acct_db is gone with the reset (no MariaDB data left)" \
  test -e "$TASKGOV_CLUSTER_DIR/mysql/data/slurm_acct_db"

t0=$(now)
tg_cluster_mode "$mode"
up=$(tg_secs "$t0")
tg_submit alice --gres=gpu:h100:1 --wrap true || tg_fatal "first job was not accepted"
tg_wait_state "$TG_JOB" COMPLETED 30
done_at=$(tg_secs "$t0")
tg_time "cold start: cluster up in ${up}s, first job COMPLETED in sacct ${done_at}s after start"
tg_assert_lt "cold start to first job COMPLETED in sacct (s)" 30 "$done_at"
tg_assert_eq "first job's account is alice's default" nlp "$(tg_sacct "$TG_JOB" Account)"
tg_done
