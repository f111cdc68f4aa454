#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Cluster benchmarks of issue 4 ("Speed"), on the local cluster of scripts/cluster.sh. Every
# figure is printed next to its baseline, stock priority/multifactor + preempt/qos without a
# job_submit plugin (TASKGOV_PLUGINS=off), measured in the same run. Run order: submit, reclaim,
# sched (the 20,000 jobs come last).
#
#   submit   slurmctld's time per REQUEST_SUBMIT_BATCH_JOB RPC (sdiag total_time/count), with
#            the taskgov plugins and without: BENCH_SUBMITS held 1-GPU jobs per round, one sbatch
#            after the other, sdiag -r before each, BENCH_ROUNDS rounds per configuration in
#            ABBA order (slurmctld restarts when the configuration changes). Then, when perf is
#            installed, one more taskgov round under `perf record` of slurmctld, for the CPU
#            time per submission spent in taskgov's own code.          Target: <= 10 µs added.
#   reclaim  submit -> RUNNING of a job that needs a running job requeued. taskgov: the
#            lender's (vision, bob) 8-H100 job while the borrower (nlp, alice) runs 12 H100, with
#            the policy of integration test 09. stock: an 8-H100 job of QOS bench-high
#            (Preempt=normal, created here) against the same 12 H100 of QOS normal. squeue polled
#            every 20 ms; BENCH_RECLAIM_REPS runs each.   Target: <= 1.5 s (batch_sched_delay=0).
#   sched    sdiag "Main schedule statistics" mean cycle on the same BENCH_PENDING pending 1-GPU
#            jobs (submitted once, with taskgov, by tests/bench/submit_jobs: one process per
#            user, the RPC of sbatch without its start-up; switching configuration restarts
#            slurmctld, which reloads them) while every GPU runs a long in-quota job of its team. A held
#            submission every BENCH_TRIGGER_GAP s, BENCH_TRIGGERS times, starts default-depth
#            passes; slurmctld adds its full-queue pass every sched_interval (60 s, unchanged).
#            sdiag is read twice per trigger; a cycle that ran alone between two reads is a
#            full-queue pass when it tested at least half the queue (sdiag's depth), and the
#            full-queue passes are compared by their median.
#            Three configurations: stock, stock + static GrpTRES equal to the GPU limits taskgov
#            sets here (sacctmgr, removed afterwards), taskgov, in five windows ordered taskgov,
#            stock, stock + GrpTRES, stock, taskgov, so that a machine growing slower or faster
#            over the run weighs on stock and taskgov alike; each figure is over both of its
#            windows. Each window runs under `perf record -F 499` of slurmctld when perf is
#            installed (its largest symbols are printed per window) and prints the load average. Also the CPU time of priority/taskgov's cycle thread ("tg_cycle") per
#            cycle, read from outside the process (/proc/<pid>/task/<tid>/schedstat sampled
#            every 50 ms), and the cycle's job lock hold, which the plugin logs per cycle with
#            DebugFlags=Priority at the verbose level (raised for the taskgov windows).
#            Target: <= 1.1x. After it the cluster is reset: cancelling the jobs one by one
#            would take longer than the benchmark.
#
# Usage (root): tests/bench/cluster_bench.sh [submit] [reclaim] [sched]   (default: all three)
# Environment: BENCH_SUBMITS (2000), BENCH_ROUNDS (4), BENCH_RECLAIM_REPS (5),
#              BENCH_PENDING (20000), BENCH_TRIGGERS (120), BENCH_TRIGGER_GAP (1.5),
#              BENCH_DEFER (0; 1: the BENCH_PENDING jobs are submitted with SchedulerParameters
#              +defer, which the windows do not have: see scheduler_defer)
# About 25 minutes on 2 cores with the defaults. Figures go to stdout, progress to stderr.
# The submit figures drift over a run and between runs by more than the target (BENCHMARKS.md):
# for figures that compare between runs, start from `scripts/cluster.sh reset`.
# The cluster is left as found: jobs cancelled, the QOS and limits this script creates removed,
# the sample policy (etc/taskgov.json) and the plugin mode it had restored; stopped again when
# it was not running.
set -euo pipefail
shopt -s inherit_errexit

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cluster=$top/scripts/cluster.sh
eval "$("$cluster" env)"                       # SLURM_CONF, TASKGOV_CLUSTER_DIR

submits=${BENCH_SUBMITS:-2000}
rounds=${BENCH_ROUNDS:-4}
reclaim_reps=${BENCH_RECLAIM_REPS:-5}
pending=${BENCH_PENDING:-20000}
triggers=${BENCH_TRIGGERS:-120}
trigger_gap=${BENCH_TRIGGER_GAP:-1.5}
defer=${BENCH_DEFER:-0}
settle=0.3                                     # a trigger's own cycle is over by then

jobdir=$TASKGOV_CLUSTER_DIR/jobs/bench
ctld_log=$TASKGOV_CLUSTER_DIR/log/slurmctld.log
sample_policy=$top/etc/taskgov.json
reclaim_policy=$jobdir/policy-reclaim.json
users=(alice bob carol dave)
bench_qos=bench-high                           # created for the stock reclaim baseline
qos_created=0
sampler_pid=
perf_pid=
cur_mode=
cur_policy=

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { printf 'cluster_bench: error: %s\n' "$*" >&2; exit 1; }
now_us() { echo "${EPOCHREALTIME/./}"; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }   # calc FORMAT EXPRESSION

# ------------------------------------------------------------------ cluster and jobs
# use_cluster MODE POLICY: the cluster in plugin mode MODE (on|off) with POLICY installed; with
# the plugins on, waits until priority/taskgov has loaded it and run a first cycle.
use_cluster() {
  local mode=$1 policy=$2 mark i
  [ "$mode:$policy" != "$cur_mode:$cur_policy" ] || return 0
  mark=$( (wc -l <"$ctld_log") 2>/dev/null || echo 0)
  TASKGOV_PLUGINS=$mode TASKGOV_POLICY=$policy "$cluster" start >&2 ||
    die "scripts/cluster.sh start (plugins $mode) failed"
  install -d -m 1777 "$jobdir"
  if [ "$mode" = on ]; then
    for ((i = 0; i < 100; i++)); do
      grep -q 'priority/taskgov: .*: policy .* loaded' < <(tail -n +"$((mark + 1))" "$ctld_log") && break
      sleep 0.2
    done
    [ "$i" -lt 100 ] || die "priority/taskgov did not log loading $policy"
  fi
  sleep 2                                      # a first taskgov cycle; node registrations settle
  cur_mode=$mode cur_policy=$policy
}

# drain: no job left in squeue (cancelled records stay in slurmctld until MinJobAge purges them).
drain() {
  local u i
  for u in "${users[@]}"; do scancel -u "$u" 2>/dev/null || true; done
  squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null || true
  for ((i = 0; i < 600; i++)); do
    [ -z "$(squeue -h -o %i 2>/dev/null | head -n 1)" ] && return 0
    sleep 0.1
  done
  die "jobs still listed 60 s after scancel: $(squeue -h | head -n 3)"
}

# submit USER SBATCH-ARGS...: prints the job id.
submit() {
  local user=$1
  shift
  (cd "$jobdir" && runuser -u "$user" -- sbatch --parsable -o /dev/null "$@" 2>>"$jobdir/sbatch.err") | cut -d';' -f1
}

# submit_loop USER COUNT ARGS-A [ARGS-B]: COUNT submissions by one sbatch after the other in one
# shell of USER, alternating between two space-separated option sets.
submit_loop() {
  # shellcheck disable=SC2016  # expanded by the user's shell
  (cd "$jobdir" && runuser -u "$1" -- bash -c '
    n=$1; read -ra a <<<"$2"; read -ra b <<<"$3"
    for ((i = 0; i < n; i++)); do
      if ((i % 2)); then opts=("${b[@]}"); else opts=("${a[@]}"); fi
      sbatch -Q -o /dev/null "${opts[@]}" --wrap true >/dev/null || exit 1
    done' submit_loop "$2" "$3" "${4:-$3}")
}

# wait_running SECONDS JOB...: every JOB RUNNING within SECONDS.
wait_running() {
  local secs=$1 i job ok
  shift
  for ((i = 0; i < secs * 10; i++)); do
    ok=1
    for job in "$@"; do
      [ "$(squeue -h -j "$job" -o %T 2>/dev/null)" = RUNNING ] || { ok=0; break; }
    done
    [ $ok = 1 ] && return 0
    sleep 0.1
  done
  return 1
}

# ------------------------------------------------------------------ sdiag
# rpc_stat TYPE: "count total_time_us" of one message type.
rpc_stat() {
  sdiag | awk -v t="$1" '$1 == t {
      c = 0; s = 0
      if (match($0, /count:[0-9]+/)) c = substr($0, RSTART + 6, RLENGTH - 6)
      if (match($0, /total_time:[0-9]+/)) s = substr($0, RSTART + 11, RLENGTH - 11)
      print c, s; found = 1 }
    END { if (!found) print 0, 0 }'
}

# sched_stat: "cycles mean_us max_us last_us mean_depth queue_len bf_cycles bf_mean_us" (sdiag).
sched_stat() {
  sdiag | awk -F: '
    /^Main schedule statistics/ { sec = "main"; next }
    /^Backfilling stats/ { sec = "bf"; next }
    /^[^ \t]/ { sec = "" }
    { gsub(/^[ \t]+/, "", $1); v = $2; gsub(/[^0-9]/, "", v) }
    sec == "main" && $1 == "Total cycles" { c = v }
    sec == "main" && $1 == "Mean cycle" { m = v }
    sec == "main" && $1 == "Max cycle" { x = v }
    sec == "main" && $1 == "Last cycle" { l = v }
    sec == "main" && $1 == "Mean depth cycle" { d = v }
    sec == "main" && $1 == "Last queue length" { q = v }
    sec == "bf" && $1 == "Total cycles" { bc = v }
    sec == "bf" && $1 == "Mean cycle" { bm = v }
    END { print c + 0, m + 0, x + 0, l + 0, d + 0, q + 0, bc + 0, bm + 0 }'
}

# dbd_idle: slurmctld has sent every job record to slurmdbd (20,000 submissions keep slurmdbd
# and MariaDB busy for a while, which would load the 2 cores during a window).
dbd_idle() {
  local i q
  for ((i = 0; i < 300; i++)); do
    q=$(sdiag | awk -F: '/^DBD Agent queue size/ { gsub(/ /, "", $2); print $2 }')
    [ "${q:-0}" -gt 0 ] || return 0
    sleep 1
  done
  log "slurmdbd agent queue still at $q after 300 s; measuring anyway"
}

# cpu_ticks: "busy total" jiffies of all CPUs so far (/proc/stat; busy leaves out idle and iowait).
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }

# machine_quiet: the CPUs are idle (under 25 % busy over 5 s) before a window starts. A window
# that ended at a load average of 2.07, right after the bulk submission, ran 18 % slower than the
# same configuration later (BENCHMARKS.md); what loaded the machine then was not identified.
machine_quiet() {
  local i a b
  for ((i = 0; i < 60; i++)); do
    a=$(cpu_ticks)
    sleep 5
    b=$(cpu_ticks)
    awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
      exit !((y[1] - x[1]) < 0.25 * (y[2] - x[2])) }' && return 0
  done
  log "the CPUs are still busy after 300 s; measuring anyway"
}

# ------------------------------------------------------------------ submit cost
declare -A rpc_count=([on]=0 [off]=0) rpc_total=([on]=0 [off]=0) rpc_rounds=([on]="" [off]="")
submit_lines=()

label() { if [ "$1" = on ]; then echo taskgov; else echo stock; fi; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }

submit_round() {                               # MODE ROUND
  local mode=$1 round=$2 t0 secs count total
  use_cluster "$mode" "$sample_policy"
  drain
  dbd_idle                                     # the previous round's records are in slurmdbd
  sleep 3
  sdiag -r >/dev/null
  log "submit cost: $submits held submissions, plugins $mode (round $round)"
  t0=$(now_us)
  submit_loop alice "$submits" "--hold --gres=gpu:h100:1" || die "sbatch failed (plugins $mode)"
  secs=$(calc '%.2f' "($(now_us) - $t0) / 1e6")
  read -r count total < <(rpc_stat REQUEST_SUBMIT_BATCH_JOB)
  [ "$count" -ge "$submits" ] || die "sdiag counted $count submit RPCs, expected $submits"
  rpc_count[$mode]=$((rpc_count[$mode] + count))
  rpc_total[$mode]=$((rpc_total[$mode] + total))
  rpc_rounds[$mode]+="$(calc '%.1f' "$total / $count") "
  submit_lines+=("$(printf '  %-8s round %d: %5d RPCs  %6.1f µs/RPC   (%s s wall, %s jobs/s)' \
    "$(label "$mode")" "$round" "$count" "$(calc '%.1f' "$total / $count")" "$secs" \
    "$(calc '%.0f' "$submits / $secs")")")
  drain
}

# mean_sd VALUES...: "mean sd" (sample standard deviation; 0 for one value).
mean_sd() {
  printf '%s\n' "$@" | awk '{ v[NR] = $1; s += $1 } END {
    m = s / NR; for (i = 1; i <= NR; i++) q += (v[i] - m) ^ 2
    printf "%.1f %.1f\n", m, (NR > 1) ? sqrt(q / (NR - 1)) : 0 }'
}

# perf_round: one more taskgov round (not in the sdiag figures) under `perf record` of
# slurmctld: CPU time per submission in taskgov's own code (the three plugins and libtaskgov)
# and in the whole of slurmctld (kernel included). Skipped without perf.
perf_line=
perf_round() {
  local pid data=$jobdir/perf-submit.data rate=1999 ppid tg all
  command -v perf >/dev/null || { perf_line="  (perf not installed: no CPU profile)"; return 0; }
  use_cluster on "$sample_policy"
  drain
  read -r pid _ <"$TASKGOV_CLUSTER_DIR/pids/slurmctld.pid"
  log "submit cost: $submits more taskgov submissions under perf record (CPU profile of slurmctld)"
  perf record -q -F "$rate" -p "$pid" -o "$data" >/dev/null 2>&1 &
  ppid=$!
  sleep 0.5
  submit_loop alice "$submits" "--hold --gres=gpu:h100:1" || die "sbatch failed under perf"
  kill -INT "$ppid" 2>/dev/null || true
  wait "$ppid" 2>/dev/null || true
  read -r tg all < <(perf report -i "$data" --sort dso --stdio -n 2>/dev/null |
    awk '/^ *[0-9.]+%/ { all += $2; if ($3 ~ /taskgov/) tg += $2 } END { print tg + 0, all + 0 }')
  drain
  if [ "$all" -gt 0 ]; then
    perf_line=$(printf '  perf (one extra taskgov round of %d): slurmctld %.0f µs CPU per submission, of which taskgov code %.1f µs (%d of %d samples at %d Hz)' \
      "$submits" "$(calc '%.1f' "$all / $rate / $submits * 1e6")" "$(calc '%.2f' "$tg / $rate / $submits * 1e6")" \
      "$tg" "$all" "$rate")
  else
    perf_line="  (perf record gave no samples)"
  fi
  rm -f "$data" "$data.old"
}

bench_submit() {
  local r stock tg m_on sd_on m_off sd_off on_r off_r
  # ABBA order (stock, taskgov, taskgov, stock, ...) so that a drift over the run weighs the
  # same on both; slurmctld restarts when the configuration changes, i.e. before half the
  # rounds of each.
  for ((r = 1; r <= rounds; r++)); do
    if ((r % 2)); then submit_round off "$r"; submit_round on "$r"
    else submit_round on "$r"; submit_round off "$r"; fi
  done
  perf_round
  stock=$(calc '%.1f' "${rpc_total[off]} / ${rpc_count[off]}")
  tg=$(calc '%.1f' "${rpc_total[on]} / ${rpc_count[on]}")
  # shellcheck disable=SC2086  # one figure per word
  read -r m_off sd_off < <(mean_sd ${rpc_rounds[off]})
  # shellcheck disable=SC2086
  read -r m_on sd_on < <(mean_sd ${rpc_rounds[on]})
  echo
  echo "== 1. Submit cost: slurmctld time per REQUEST_SUBMIT_BATCH_JOB (sdiag total_time/count)"
  echo "   $submits held 1-GPU sbatch as alice per round, one after the other, sdiag -r before each;"
  echo "   rounds in ABBA order, slurmctld restarted at each change of configuration"
  printf '%s\n' "${submit_lines[@]}"
  printf '  stock   (multifactor + qos, no job_submit)  %6.1f µs/RPC  (%d RPCs; round means sd %s)\n' "$stock" "${rpc_count[off]}" "$sd_off"
  printf '  taskgov (job_submit + priority + preempt)   %6.1f µs/RPC  (%d RPCs; round means sd %s)\n' "$tg" "${rpc_count[on]}" "$sd_on"
  printf '  delta of the pooled means                   %+6.1f µs/RPC\n' "$(calc '%.1f' "$tg - $stock")"
  # Rounds r of both configurations ran next to each other: their differences cancel most of
  # the drift over the run; the median of them is the delta compared with the target.
  local pairs="" i med
  read -ra on_r <<<"${rpc_rounds[on]}"
  read -ra off_r <<<"${rpc_rounds[off]}"
  for i in "${!on_r[@]}"; do pairs+="$(calc '%+.1f' "${on_r[i]} - ${off_r[i]}") "; done
  # shellcheck disable=SC2086  # one figure per word
  med=$(median $pairs)
  printf '  delta per round (taskgov - stock)           %s µs; median %+.1f µs  target <= +10 µs: %s\n' \
    "$(sed 's/ $//; s/ / \/ /g' <<<"$pairs")" "$med" "$(verdict "$med <= 10")"
  echo "$perf_line"
}

# ------------------------------------------------------------------ reclaim latency
reclaim_policy_json() {
  cat <<'EOF'
{
  "cluster": {"priority_classes": [{"name": "inference", "weight": 100},
                                   {"name": "training", "weight": 50},
                                   {"name": "experimentation", "weight": 10}],
              "cycle_seconds": 2},
  "teams": [
    {"name": "nlp", "account": "nlp", "borrow_limit_percent": 50,
     "quota": [{"gres": "gpu:h100", "count": 8}]},
    {"name": "vision", "account": "vision", "sharing": "lend",
     "quota": [{"gres": "gpu:h100", "count": 8}]}
  ]
}
EOF
}

# reclaim_once MODE: alice (nlp) runs three 4-H100 jobs (12 H100: all of one node, half of the
# other), then bob asks for 8 H100 on one node; prints "seconds victims".
reclaim_once() {
  local mode=$1 jobs=() qos_a=() qos_b=() id t0 t1 st i victims
  if [ "$mode" = off ]; then qos_a=(--qos=normal) qos_b=(--qos="$bench_qos"); fi
  drain
  for _ in 1 2 3; do
    jobs+=("$(submit alice "${qos_a[@]}" --gres=gpu:h100:4 --wrap 'sleep 3600')")
    sleep 0.3                                  # distinct start times: the newest is the borrowed one
  done
  wait_running 30 "${jobs[@]}" || die "alice's three 4-H100 jobs did not all start (plugins $mode): $(squeue -h -u alice -o '%i %T %r')"
  sleep 3                                      # a taskgov cycle (cycle_seconds 2) sees the borrowed job
  t0=$(now_us)
  id=$(submit bob "${qos_b[@]}" -N1 --gres=gpu:h100:8 --wrap 'sleep 3600')
  [ -n "$id" ] || die "bob's 8-H100 job was refused (plugins $mode)"
  for ((i = 0; ; i++)); do
    st=$(squeue -h -j "$id" -o %T 2>/dev/null)
    [ "$st" = RUNNING ] && break
    [ "$i" -lt 1500 ] || die "bob's job $id not RUNNING after 30 s (plugins $mode): $(squeue -h -j "$id" -o '%T %r')"
    sleep 0.02
  done
  t1=$(now_us)
  victims=$(squeue -h -u alice -t PD -o %i | wc -l)
  echo "$(calc '%.3f' "($t1 - $t0) / 1e6") $victims"
}

create_bench_qos() {
  local i
  if sacctmgr -nP show qos format=name | grep -qx "$bench_qos"; then
    die "QOS $bench_qos exists already (left by an interrupted run?): sacctmgr -i delete qos $bench_qos"
  fi
  sacctmgr -i -Q add qos "$bench_qos" Priority=1000 Preempt=normal PreemptMode=requeue >/dev/null
  qos_created=1
  sacctmgr -i -Q modify user bob set qos+="$bench_qos" >/dev/null
  for ((i = 0; i < 100; i++)); do             # slurmctld learns it from slurmdbd asynchronously
    (cd "$jobdir" && runuser -u bob -- sbatch --test-only -Q --qos="$bench_qos" -o /dev/null \
      --wrap true >/dev/null 2>&1) && return 0
    sleep 0.1
  done
  die "slurmctld does not let bob use QOS $bench_qos"
}

delete_bench_qos() {
  [ "$qos_created" = 1 ] || return 0
  sacctmgr -i -Q delete qos "$bench_qos" >/dev/null 2>&1 && qos_created=0
}

bench_reclaim() {
  local mode r res lat vic
  declare -A lats=([on]="" [off]="") vics=([on]="" [off]="")
  reclaim_policy_json >"$reclaim_policy"
  for mode in on off; do
    if [ "$mode" = on ]; then use_cluster on "$reclaim_policy"
    else use_cluster off "$sample_policy"; create_bench_qos; fi
    for ((r = 1; r <= reclaim_reps; r++)); do
      res=$(reclaim_once "$mode")
      read -r lat vic <<<"$res"
      [ "$vic" -ge 1 ] || die "no job of alice was requeued (plugins $mode)"
      log "reclaim, plugins $mode, run $r: ${lat} s (alice's pending jobs after: $vic)"
      lats[$mode]+="$lat "
      vics[$mode]+="$vic "
    done
    drain
    [ "$mode" = on ] || delete_bench_qos
  done
  echo
  echo "== 3. Reclaim latency: submit -> RUNNING of a job that needs a running job requeued"
  echo "   (squeue polled every 20 ms; batch_sched_delay=0; $reclaim_reps runs each)"
  for mode in on off; do
    if [ "$mode" = on ]; then
      printf '  taskgov: vision (lender) 8 H100 while nlp borrows (12 H100)\n'
    else
      printf '  stock:   QOS %s (Preempt=normal) 8 H100 against 12 H100 of QOS normal\n' "$bench_qos"
    fi
    # shellcheck disable=SC2086  # one figure per word
    printf '           runs %s s   median %s s   (jobs of alice requeued per run: %s)\n' \
      "$(printf '%s ' ${lats[$mode]} | sed 's/ $//; s/ / \/ /g')" "$(median ${lats[$mode]})" \
      "$(printf '%s ' ${vics[$mode]} | sed 's/ $//')"
  done
  # shellcheck disable=SC2086
  printf '  target: taskgov median <= 1.5 s: %s\n' "$(verdict "$(median ${lats[on]}) <= 1.5")"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ------------------------------------------------------------------ scheduling cost
# cycle_thread PID: the TID of priority/taskgov's cycle thread, which names itself "tg_cycle".
cycle_thread() {
  local t
  for t in "/proc/$1/task/"*; do
    [ "$(cat "$t/comm" 2>/dev/null)" = tg_cycle ] && { echo "${t##*/}"; return 0; }
  done
  return 0
}

# sample_thread PID TID FILE: "time_us cpu_ns" lines every 50 ms (runs until killed).
sample_thread() {
  local f=/proc/$1/task/$2/schedstat ns _
  while read -r ns _ <"$f"; do
    echo "$(now_us) $ns"
    sleep 0.05
  done >"$3" 2>/dev/null
}

# cycle_bursts FILE: "cycles mean_ms max_ms wakeups wakeup_median_ms". The thread wakes every
# second and runs a cycle every cycle_seconds (or on job starts/ends); CPU time shows as bursts
# (consecutive 50-ms samples growing by > 0.3 ms, merged). On these VMs a wake-up alone can cost
# a few ms (a pthread_cond_timedwait on a whole-second deadline; see BENCHMARKS.md), so bursts
# above twice the median burst count as cycles, the rest as wake-ups; when that split finds
# fewer than three, every burst counts as a cycle.
cycle_bursts() {
  awk 'NR > 1 { d = $2 - prev
                if (d > 300000) { cur += d; inb = 1 }
                else if (inb) { b[++n] = cur; cur = 0; inb = 0 } }
       { prev = $2 }
       END {
         if (inb) b[++n] = cur
         if (!n) { print "0 0 0 0 0"; exit }
         for (i = 1; i <= n; i++) s[i] = b[i]
         for (i = 2; i <= n; i++) { v = s[i]; for (j = i - 1; j >= 1 && s[j] > v; j--) s[j + 1] = s[j]; s[j + 1] = v }
         med = (n % 2) ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
         for (i = 1; i <= n; i++) if (b[i] > 2 * med) { c++; sum += b[i]; if (b[i] > max) max = b[i] }
         if (c < 3) { c = 0; sum = 0; max = 0; for (i = 1; i <= n; i++) { c++; sum += b[i]; if (b[i] > max) max = b[i] } }
         w = 0
         for (i = 1; i <= n; i++) if (b[i] <= 2 * med && c < n) w++
         printf "%d %.1f %.1f %d %.1f\n", c, sum / c / 1e6, max / 1e6, w, (c < n) ? med / 1e6 : 0 }' "$1"
}

# The GPU part of the limits taskgov sets in this scenario, as static GrpTRES for the
# "stock + GrpTRES" configuration (nlp-interns is inside nlp).
declare -A static_limits=(
  [nlp]="gres/gpu:h100=8,gres/gpu:a100=0"
  [vision]="gres/gpu:h100=8,gres/gpu:a100=4"
  [speech]="gres/gpu:h100=0,gres/gpu:a100=4"
)
limits_set=0

set_static_limits() {
  local a have i
  for a in "${!static_limits[@]}"; do
    have=$(sacctmgr -nP show assoc where account="$a" user='' format=grptres | head -n 1)
    [ -z "$have" ] || die "account $a has GrpTRES=$have set by an admin; not touching it"
  done
  limits_set=1
  for a in "${!static_limits[@]}"; do
    sacctmgr -i -Q modify account "$a" set GrpTRES="${static_limits[$a]}" >/dev/null
  done
  for ((i = 0; i < 100; i++)); do              # slurmctld learns them from slurmdbd
    scontrol show assoc_mgr accounts=speech flags=assoc 2>/dev/null |
      grep -q 'gres/gpu:a100=4(' && return 0
    sleep 0.1
  done
  die "slurmctld does not show the static GrpTRES limits"
}

clear_static_limits() {
  local a
  [ "$limits_set" = 1 ] || return 0
  for a in "${!static_limits[@]}"; do
    sacctmgr -i -Q modify account "$a" set GrpTRES=gres/gpu:h100=-1,gres/gpu:a100=-1 >/dev/null
  done
  limits_set=0
}

# single_cycle: when exactly one main-scheduler cycle ran since the last call, its time (sdiag's
# Last cycle) goes to one (default depth) or full (the full-queue pass every sched_interval). The
# two are told apart by the jobs the cycle tested, the growth of sdiag's cycles x mean depth: a
# full pass tests the whole queue, a default-depth pass at most default_queue_depth (100) jobs.
single_cycle() {
  local c l d q depth
  read -r c _ _ l d q _ < <(sched_stat)
  depth=$((c * d))
  if [ "$c" -eq $((prev_c + 1)) ]; then
    if [ $(((depth - prev_depth) * 2)) -gt "$q" ]; then full+=("$l"); else one+=("$l"); fi
  fi
  prev_c=$c prev_depth=$depth
}

# scheduler_defer on|off: SchedulerParameters with or without defer, in force. A submission whose
# job could start at once first looks for a waiting job of higher priority (job_mgr.c
# _top_priority) and skips the jobs a limit holds back: with every team pinned it walks the whole
# queue, so each submission costs O(pending) under the job write lock (BENCHMARKS.md). defer
# skips that search, and the attempt to start the job at submission. On: scontrol reconfigure,
# on the near-empty queue. Off: slurmctld restarted, as every change of configuration below is,
# rather than reconfigured under the whole queue (a 100,000-job run lost a trigger submission to
# a socket time-out within a minute of that reconfigure).
scheduler_defer() {
  local conf=$SLURM_CONF want=$1 have
  sed -i 's/,defer$//' "$conf"
  [ "$want" = off ] || sed -i 's/^SchedulerParameters=.*$/&,defer/' "$conf"
  if [ "$want" = on ]; then scontrol reconfigure; else "$cluster" restart-slurmctld >&2; fi
  have=$(scontrol show config | awk '$1 == "SchedulerParameters" { print $3 }')
  case $want:$have in
    on:*defer*) ;;
    off:*defer*) die "SchedulerParameters still has defer: $have" ;;
    on:*) die "SchedulerParameters has no defer: $have" ;;
  esac
}

# sched_window CONFIG (on | off | limits) N: window N of CONFIG: the sdiag figures, and the times
# of the single cycles (single_cycle) read twice per trigger: settle seconds after it, and just
# before the next.
declare -A sched_res=()
sched_window() {
  local config=$1 w=$1.$2 mode=off pid tid="" k samples prev_c prev_depth one=() full=() st lines_before debug_level
  [ "$config" = on ] && mode=on
  use_cluster "$mode" "$sample_policy"
  if [ "$config" = limits ]; then set_static_limits; sleep 2; fi
  dbd_idle
  machine_quiet                                # also lets the start-up passes (priorities, taskgov cycle) end
  log "scheduling cost, $(sched_label "$config"): $triggers triggers every $trigger_gap s"
  samples=$jobdir/cycle-thread.txt
  rm -f "$samples"
  read -r pid _ <"$TASKGOV_CLUSTER_DIR/pids/slurmctld.pid"
  if [ "$mode" = on ]; then
    tid=$(cycle_thread "$pid")
    [ -n "$tid" ] || log "could not find priority/taskgov's cycle thread; its CPU time is not reported"
  fi
  sdiag -r >/dev/null
  if [ -n "$tid" ]; then
    sample_thread "$pid" "$tid" "$samples" &
    sampler_pid=$!
  fi
  # Every window under the same light profiler, so that it weighs on each alike: where
  # slurmctld's CPU time goes, compared between configurations at the end.
  if command -v perf >/dev/null; then
    perf record -q -F 499 -p "$pid" -o "$jobdir/perf-$w.data" >/dev/null 2>&1 &
    perf_pid=$!
  fi
  if [ "$mode" = on ]; then
    # log_flag() lines print at the verbose level, above the cluster's SlurmctldDebug=info.
    debug_level=$(scontrol show config | awk '$1 == "SlurmctldDebug" { print $3 }')
    scontrol setdebugflags +Priority
    scontrol setdebug verbose
    lines_before=$(wc -l <"$ctld_log")
  fi
  prev_c=0 prev_depth=0
  for ((k = 0; k < triggers; k++)); do
    submit_loop alice 1 "--hold --gres=gpu:h100:1" || die "trigger submission failed"
    sleep "$settle"
    single_cycle
    sleep "$(calc '%.2f' "$trigger_gap - $settle")"
    single_cycle
  done
  st=$(sched_stat)
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    perf_pid=
  fi
  sched_res[load.$w]=$(cut -d' ' -f1 /proc/loadavg)
  sched_res[$w]="$st $(calc '%.0f' "$(median "${one[@]:-0}")") ${#one[@]}"
  sched_res[full.$w]="${full[*]}"
  if [ -n "$sampler_pid" ]; then
    kill "$sampler_pid" 2>/dev/null || true
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=
    sched_res[thread.$2]=$(cycle_bursts "$samples")
  fi
  if [ "$mode" = on ]; then
    scontrol setdebugflags -Priority
    scontrol setdebug "${debug_level:-info}"
    # The cycle's own account of its lock holds (governance_cycle.c), one line per cycle.
    sched_res[locks.$2]=$(tail -n +"$((lines_before + 1))" "$ctld_log" |
      sed -n 's/.*job lock held \([0-9]*\) us (snapshot) + \([0-9]*\) us (write-back), engine \([0-9]*\) us.*/\1 \2 \3/p' |
      awk '{ print $1, $2, $3 }')
  fi
  sched_res[reasons_$w]=$(squeue -h -t PD -o %r | grep -v JobHeldUser | sort | uniq -c |
                               awk '{ printf "%s%s %d", sep, $2, $1; sep = ", " }')
  if [ "$config" = limits ]; then clear_static_limits; fi
}

sched_label() {
  case $1 in
    on) echo "taskgov" ;;
    off) echo "stock" ;;
    limits) echo "stock + GrpTRES" ;;
  esac
}

bench_sched() {
  local per=$((pending / 4)) fill=() config t0 rpcs rpc_us
  use_cluster on "$sample_policy"
  drain
  log "scheduling cost: filling every GPU with a long job of a team within its quota"
  fill+=("$(submit alice --qos=inference -N1 --gres=gpu:h100:8 --wrap 'sleep 7200')")
  fill+=("$(submit bob --qos=inference -N1 --gres=gpu:h100:8 --wrap 'sleep 7200')")
  fill+=("$(submit bob --qos=inference -N1 --gres=gpu:a100:4 --wrap 'sleep 7200')")
  fill+=("$(submit carol --qos=inference -N1 --gres=gpu:a100:4 --cpus-per-gpu=16 --mem-per-gpu=64G --wrap 'sleep 7200')")
  wait_running 30 "${fill[@]}" || die "the fill jobs did not all start: $(squeue -h -o '%i %u %T %r')"
  log "submitting $pending pending 1-GPU jobs (nlp: alice, dave; vision: bob; speech: carol), one submit_jobs per user"
  make -s -C "$top" tests/bench/submit_jobs >&2 || die "could not build tests/bench/submit_jobs"
  [ "$defer" = 0 ] || scheduler_defer on
  sdiag -r >/dev/null
  t0=$(now_us)
  local spec user shapes loops=() p
  for spec in "alice training gpu:h100:1 experimentation gpu:h100:1" \
              "bob training gpu:h100:1 experimentation gpu:a100:1" \
              "carol training gpu:a100:1 experimentation gpu:a100:1" \
              "dave training gpu:h100:1 experimentation gpu:h100:1"; do
    read -r user shapes <<<"$spec"
    # shellcheck disable=SC2086  # QOS and GRES pairs, one per word
    (cd "$jobdir" && runuser -u "$user" -- "$top/tests/bench/submit_jobs" \
      "$([ "$user" = dave ] && echo $((pending - 3 * per)) || echo "$per")" $shapes) &
    loops+=($!)
  done
  for p in "${loops[@]}"; do wait "$p" || die "a submit_jobs process failed (see above)"; done
  sched_res[submitted]=$(calc '%.0f' "($(now_us) - $t0) / 1e6")
  read -r rpcs rpc_us < <(rpc_stat REQUEST_SUBMIT_BATCH_JOB)
  sched_res[submit_rpc]=$(calc '%.0f' "$rpc_us / ($rpcs + (${rpcs:-0} == 0))")
  [ "$defer" = 0 ] || scheduler_defer off
  log "submitted in ${sched_res[submitted]} s; $(squeue -h -t PD | wc -l) pending"
  wait_running 1 "${fill[@]}" || die "a fill job stopped: $(squeue -h -t R -o '%i %u %T')"

  # taskgov first, in the slurmctld that took the jobs; stock in a slurmctld restarted on the
  # same jobs; static GrpTRES limits added to that slurmctld (live, from slurmdbd); stock again
  # once they are removed; taskgov again, restarted: stock and taskgov have the same mean moment
  # in the run, so that a machine growing slower or faster weighs on both alike.
  local windows=(on.1 off.1 limits.1 off.2 on.2) win
  for win in "${windows[@]}"; do sched_window "${win%.*}" "${win#*.}"; done
  wait_running 1 "${fill[@]}" || die "a fill job stopped during the measurement"

  local c m x l d q bc bm med n
  echo
  echo "== 2. Scheduling cost: sdiag main-scheduler mean cycle, same $pending pending 1-GPU jobs"
  echo "   (every GPU busy with an in-quota job of its team; a held submission every $trigger_gap s,"
  echo "   $triggers times per window; 'single' = default-depth cycles caught alone, 'full' = full-queue"
  echo "   passes caught alone, each read as sdiag's Last cycle; windows in run order)"
  printf '  submission of the %d jobs (taskgov%s, one submit_jobs per user at once): %d s, %.0f jobs/s; slurmctld %d µs per submission RPC (sdiag)\n' \
    "$pending" "$([ "$defer" = 0 ] || echo ', SchedulerParameters+defer')" "${sched_res[submitted]}" \
    "$(calc '%.1f' "$pending / (${sched_res[submitted]} + 0.001)")" "${sched_res[submit_rpc]}"
  for win in "${windows[@]}"; do
    read -r c m x l d q bc bm med n <<<"${sched_res[$win]}"
    printf '  %-20s mean %7d µs over %3d cycles (max %7d; single: median %7s µs of %d; full: %s µs); mean depth %d, queue %d; backfill mean %d µs over %d\n' \
      "$(sched_label "${win%.*}") (${win#*.})" "$m" "$c" "$x" "$med" "$n" "${sched_res[full.$win]:-none}" "$d" "$q" "$bm" "$bc"
    printf '  %-20s pending reasons after the window: %s; load average (1 min) at its end %s\n' "" \
      "${sched_res[reasons_$win]}" "${sched_res[load.$win]}"
  done
  # combined CONFIG FIELD: over CONFIG's windows, "mean" the cycle-weighted mean cycle, "max" the
  # longest cycle (the full-queue pass), "bf" backfill's cycle-weighted mean.
  combined() {
    local k
    for k in "${!sched_res[@]}"; do
      if [[ $k == "$1".[0-9] ]]; then echo "${sched_res[$k]}"; fi
    done | awk -v f="$2" '{ c += $1; s += $1 * $2; if ($3 > x) x = $3; bc += $7; bs += $7 * $8 }
      END { if (f == "mean") printf "%.0f\n", c ? s / c : 0
            else if (f == "max") print x + 0
            else printf "%.0f\n", bc ? bs / bc : 0 }'
  }
  local m_on m_off m_lim x_on x_off
  m_on=$(combined on mean) m_off=$(combined off mean) m_lim=$(combined limits mean)
  x_on=$(combined on max) x_off=$(combined off max)
  printf '  over both windows: mean cycle taskgov %d µs, stock %d µs; backfill mean taskgov %d µs, stock %d µs, stock + GrpTRES %d µs\n' \
    "$m_on" "$m_off" "$(combined on bf)" "$(combined off bf)" "$(combined limits bf)"
  # full_passes CONFIG: the full-queue passes caught alone over CONFIG's windows, one per line.
  full_passes() {
    local k v
    for k in "${!sched_res[@]}"; do
      if [[ $k == full."$1".[0-9] ]]; then
        # shellcheck disable=SC2086  # a space-separated list
        for v in ${sched_res[$k]}; do echo "$v"; done
      fi
    done
  }
  local f_on=() f_off=() f_lim=() med_on med_off
  mapfile -t f_on < <(full_passes on)
  mapfile -t f_off < <(full_passes off)
  mapfile -t f_lim < <(full_passes limits)
  med_on=$(calc '%.0f' "$(median "${f_on[@]:-0}")") med_off=$(calc '%.0f' "$(median "${f_off[@]:-0}")")
  printf '  full-queue pass (every sched_interval), median of the passes caught alone: taskgov %d µs of %d, stock %d µs of %d, stock + GrpTRES %s µs of %d; no longer than stock: %s\n' \
    "$med_on" "${#f_on[@]}" "$med_off" "${#f_off[@]}" "$(calc '%.0f' "$(median "${f_lim[@]:-0}")")" "${#f_lim[@]}" \
    "$(verdict "${#f_on[@]} > 0 && ${#f_off[@]} > 0 && $med_on <= $med_off")"
  printf '  longest cycle (sdiag max cycle): taskgov %d µs, stock %d µs\n' "$x_on" "$x_off"
  local k w wm
  for k in 1 2; do
    [ -n "${sched_res[thread.$k]:-}" ] || continue
    read -r c m x w wm <<<"${sched_res[thread.$k]}"
    printf '  priority/taskgov cycle thread, taskgov window %d: %d cycles, %s ms CPU each on average (max %s ms)' "$k" "$c" "$m" "$x"
    if [ "$w" -gt 0 ]; then printf '; plus %d one-second wake-ups of %s ms CPU each (median)' "$w" "$wm"; fi
    echo
  done
  local locks
  locks=$(printf '%s\n' "${sched_res[locks.1]:-}" "${sched_res[locks.2]:-}" | awk 'NF == 3 {
      n++; s += $1; w += $2; e += $3; h = $1 + $2; if (h > m) m = h }
      END { if (n) printf "%d cycles; job write lock held %.2f ms (snapshot) + %.2f ms (write-back) on average, at most %.2f ms in all; engine %.2f ms without a lock", n, s / n / 1e3, w / n / 1e3, m / 1e3, e / n / 1e3 }')
  printf '  priority/taskgov cycle, measured inside (DebugFlags=Priority): %s\n' "${locks:-no lines logged}"
  local data
  for win in "${windows[@]}"; do
    data=$jobdir/perf-$win.data
    [ -s "$data" ] || continue
    printf '  perf, %s: slurmctld samples at 499 Hz by object and symbol, the 8 largest:\n' "$(sched_label "${win%.*}") (${win#*.})"
    # sed reads to the end: perf must not die of a closed pipe (pipefail).
    perf report -i "$data" --sort dso,sym --stdio -n 2>/dev/null | grep -E '^ +[0-9]' |
      sed -n 's/^ */      /; 1,8p' || true
  done
  if [ "$m_off" -gt 0 ]; then
    printf 'sched: taskgov/stock = %.2f (taskgov %.1f ms, stock %.1f ms, stock+GrpTRES %.1f ms)\n' \
      "$(calc '%.4f' "$m_on / $m_off")" "$(calc '%.1f' "$m_on / 1000")" "$(calc '%.1f' "$m_off / 1000")" \
      "$(calc '%.1f' "$m_lim / 1000")"
  fi
}

# ------------------------------------------------------------------ main
orig_up=0 orig_mode=on
if "$cluster" status >/dev/null 2>&1; then orig_up=1; fi
orig_mode=$("$cluster" status 2>/dev/null | awk '/^plugins:/ { print $2 }' || true)
[ -n "$orig_mode" ] || orig_mode=on

cleanup() {
  local rc=$?
  set +e
  if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null; wait "$sampler_pid" 2>/dev/null; fi
  log "cleaning up: cancelling jobs, deleting QOS $bench_qos if created, restoring the sample policy (plugins $orig_mode)"
  if [ -n "$perf_pid" ]; then kill -INT "$perf_pid" 2>/dev/null; wait "$perf_pid" 2>/dev/null; fi
  if "$cluster" status >/dev/null 2>&1 && [ "$(squeue -h -o %i 2>/dev/null | wc -l)" -gt 2000 ]; then
    log "more than 2,000 jobs: resetting the cluster instead (scripts/cluster.sh reset)"
    # The reset wipes the logs with the state: slurmctld's is kept for a run that failed.
    if [ "$rc" -ne 0 ] && cp "$ctld_log" "$top/build/cluster_bench-slurmctld.log" 2>/dev/null; then
      log "slurmctld.log kept in $top/build/cluster_bench-slurmctld.log"
    fi
    "$cluster" reset >&2
    [ "$orig_up" = 0 ] || TASKGOV_PLUGINS=$orig_mode "$cluster" start >/dev/null 2>&1
  elif "$cluster" status >/dev/null 2>&1; then
    drain
    delete_bench_qos
    clear_static_limits
    TASKGOV_PLUGINS=$orig_mode "$cluster" start >/dev/null 2>&1
    [ "$orig_up" = 1 ] || "$cluster" stop >&2
  fi
  exit "$rc"
}

[ "$(id -u)" -eq 0 ] || die "run as root (sdiag -r, runuser, scripts/cluster.sh)"
for p in job_submit priority preempt; do
  [ -f "${TASKGOV_PLUGIN_DIR:-$top/plugin/.libs}/${p}_taskgov.so" ] || die "plugin ${p}_taskgov.so not built: make"
done
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(submit reclaim sched)
for p in "${parts[@]}"; do
  case $p in submit|reclaim|sched) ;; *) die "unknown benchmark '$p' (submit, reclaim, sched)" ;; esac
done
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$(now_us)
echo "taskgov cluster benchmarks, $(date -u '+%F %T UTC'), $(nproc) cores, $(slurmctld -V), $(git -C "$top" describe --always --dirty 2>/dev/null || echo '?')"
for p in "${parts[@]}"; do "bench_$p"; done
echo
echo "total wall time $(calc '%.0f' "($(now_us) - $start) / 1e6") s"
