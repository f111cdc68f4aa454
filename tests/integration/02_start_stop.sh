#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The cluster starts idempotently, listens on loopback only, and stops cleanly: every recorded PID
# gone and nothing left listening on 6817/6818/6819/170xx. Prints the warm start time.
. "$(dirname "$0")/lib.sh"

pids_dir=$TASKGOV_CLUSTER_DIR/pids
recorded() { cat "$pids_dir"/*.pid 2>/dev/null | awk '{print $1}' | sort -n | paste -sd' '; }
ports_in_use() {
  ss -Hltn | awk -v o="${TASKGOV_PORT_OFFSET:-0}" '{n = split($4, a, ":"); p = a[n] - o}
    p == 6817 || p == 6818 || p == 6819 || (p >= 17000 && p <= 17099) {print $4}' |
    sort | paste -sd' '
}

tg_cluster_up
tg_assert_ok "status: every daemon up" "$TG_CLUSTER" status
before=$(recorded)
t0=$(now)
tg_cluster_up
again=$(tg_secs "$t0")
tg_time "start on a running cluster took ${again}s"
tg_assert_lt "start on a running cluster returns quickly (s)" 3 "$again"
tg_assert_eq "start on a running cluster keeps every daemon (same PIDs)" "$before" "$(recorded)"
tg_assert_eq "9 daemons recorded (munged, mariadbd, slurmdbd, slurmctld, 5 slurmd)" 9 "$(wc -w <<<"$before")"

# Every listening socket of a recorded daemon is on 127.0.0.1.
wide=$(ss -Hltnp | awk -v pids=" $before " '{
  if (match($0, /pid=[0-9]+/)) { pid = substr($0, RSTART + 4, RLENGTH - 4)
    if (index(pids, " " pid " ") && $4 !~ /^127\.0\.0\.1:/) print $4 " pid " pid } }')
tg_assert_eq "daemons listen on 127.0.0.1 only" "" "$wide"

"$TG_CLUSTER" stop || tg_fail "scripts/cluster.sh stop failed"
alive=
for pid in $before; do
  # The machine's PID 1 reaps orphans lazily: a zombie has exited and holds no socket.
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
  [ -z "$state" ] || [ "$state" = Z ] || alive+="$pid($state) "
done
tg_assert_eq "no recorded PID runs after stop" "" "$alive"
tg_assert_eq "nothing listens on 6817/6818/6819/170xx after stop" "" "$(ports_in_use)"
tg_assert_eq "no PID files left" "" "$(recorded)"
tg_assert_fails "status exits non-zero when the cluster is down" "$TG_CLUSTER" status

t0=$(now)
tg_cluster_up
tg_time "warm start (state and database kept) took $(tg_secs "$t0")s"
tg_assert_ok "status after warm start: every daemon up" "$TG_CLUSTER" status
tg_done
