#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The local Slurm cluster taskgov is tested against: munged, a private MariaDB, slurmdbd, slurmctld
# and five emulated nodes (slurmd -N), every daemon on 127.0.0.1 only, everything under one folder.
#
# Usage: scripts/cluster.sh [--slurm RELEASE] start [--sanitize]|restart-slurmctld|stop|status|reset|env
#   --slurm  the Slurm release: the host's own (default, 22.05), or 24.11 or 26.05, which run every
#            daemon and client inside the Debian 13 or sid root of scripts/slurm-root.sh (created
#            when missing), with the same nodes, GRES, accounts, users, QOS and ports: one cluster
#            at a time. taskgov cannot be built for 26.05 here (no source): plugins off only
#   start   start what is not running (idempotent); rewrites the configs and restarts slurmctld
#           when the plugin mode or policy changed; creates accounts, QOS and users when missing
#           --sanitize (or TASKGOV_SANITIZE=1): the plugins of scripts/build.sh --sanitize,
#           built with ASan+UBSan, in a slurmctld started with the ASan runtime preloaded;
#           sanitizer reports go to <cluster>/log/asan.<pid> and ubsan.<pid>
#   restart-slurmctld  stop slurmctld alone and start it again as it was (the soak's restarts)
#   stop    cancel all jobs, then stop every daemon this script started, by its recorded PID
#   status  one line per daemon (PID, up/down); exits 1 when any is down
#   reset   stop, then wipe the cluster folder (state, logs, the private MariaDB with slurm_acct_db)
#   env     print `export SLURM_CONF=...` lines, for: eval "$(scripts/cluster.sh env)"; for another
#           release also PATH (wrappers running sbatch, squeue, runuser, ... inside its root),
#           TASKGOV_BIN (its taskgov command) and TASKGOV_PLUGIN_DIR
#
# Environment:
#   TASKGOV_SLURM        the release, as --slurm (the flag wins)
#   TASKGOV_PORT_OFFSET  added to every port (default 0: slurmctld 6817, slurmd 6818, slurmdbd
#                        6819, nodes 17001-17021, MariaDB 17030), to run beside another cluster
#   TASKGOV_CLUSTER_DIR  the cluster folder (default: build/cluster under the project)
#   TASKGOV_PLUGINS      on (default): JobSubmitPlugins=taskgov, priority/taskgov, preempt/taskgov
#                        off: stock priority/multifactor and preempt/qos, no job_submit plugin
#                        (the default, and the only mode, for a release taskgov cannot be built for)
#   TASKGOV_POLICY       policy file copied to <cluster>/etc/taskgov.json (default: etc/taskgov.json)
#   TASKGOV_PLUGIN_DIR   where the three taskgov plugins are (default: plugin/.libs, the build's;
#                        for 24.11 build/slurm-24.11/plugin/.libs, from scripts/build.sh --slurm 24.11;
#                        build/sanitized-plugins with --sanitize)
#   TASKGOV_SANITIZE     1: as start --sanitize, for every start (the integration tests restart it)
#   TASKGOV_SLURM_ROOT   run the release (22.05 too) inside this root instead, made by
#                        scripts/slurm-root.sh RELEASE --runtime with the taskgov package installed
#                        (scripts/test-deb.sh): its own taskgov command, TASKGOV_PLUGIN_DIR as seen
#                        in the root (e.g. its PluginDir, where the package put the plugins)
set -euo pipefail
shopt -s inherit_errexit                                   # also inside $(...)

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
release=${TASKGOV_SLURM:-}
if [ "${1:-}" = --slurm ]; then release=${2:-}; shift 2 || true; fi
case $release in
  ''|host|22.05) release= ;;
  24.11|26.05) ;;
  *) echo "cluster: error: --slurm '$release': supported are 22.05 (the host's), 24.11 and 26.05" >&2; exit 2 ;;
esac
# Another release, or a package's root: the daemons and clients run inside the root
# (scripts/inroot.sh), where the project folder is bound at its own path, so the cluster folder has
# one path for both sides.
root=${TASKGOV_SLURM_ROOT:-}
taskgov_in_root=/usr/bin/taskgov                           # the package's
no_build=                                                  # why taskgov cannot be built for it
if [ -n "$release" ]; then
  if [ -z "$root" ]; then
    root=$("$top/scripts/slurm-root.sh" "$release" path)
    taskgov_in_root=$top/build/slurm-$release/taskgov
    no_build=$("$top/scripts/slurm-root.sh" "$release" buildable 2>&1) || true
  fi
  default_cdir=$top/build/cluster-$release
  default_plugins=$top/build/slurm-$release/plugin/.libs
else
  default_cdir=$top/build/cluster
  default_plugins=$top/plugin/.libs
fi
cdir=${TASKGOV_CLUSTER_DIR:-$default_cdir}
[[ $cdir == /* ]] || cdir=$PWD/$cdir
etc=$cdir/etc
pids=$cdir/pids
log=$cdir/log
sanitize=${TASKGOV_SANITIZE:-0}
if [ "${1:-}" = start ] && [ "${2:-}" = --sanitize ]; then sanitize=1; fi
if [ "$sanitize" = 1 ]; then plugin_build_dir=${TASKGOV_PLUGIN_DIR:-$top/build/sanitized-plugins}
else plugin_build_dir=${TASKGOV_PLUGIN_DIR:-$default_plugins}; fi

cluster_name=taskgov
nodes=(h100-1 h100-2 a100-1 a100-2 trn-1)
port_offset=${TASKGOV_PORT_OFFSET:-0}
[[ $port_offset =~ ^[0-9]+$ ]] && [ "$port_offset" -le 40000 ] ||
  { echo "cluster: error: TASKGOV_PORT_OFFSET='$port_offset': a number of 0 to 40000" >&2; exit 2; }
ctld_port=$((6817 + port_offset)) slurmd_port=$((6818 + port_offset)) dbd_port=$((6819 + port_offset))
db_port=$((17030 + port_offset))
munge_socket=/run/munge/munge.socket.2
mysql_socket=$cdir/mysql/mysqld.sock
daemons=(munged mariadbd slurmdbd slurmctld "${nodes[@]/#/slurmd-}")

# QOS (name:priority), created when missing; accounts and users come from etc/cluster/accounts.cfg.
qos_list=(inference:300 training:200 experimentation:100)
accounts_cfg=$top/etc/cluster/accounts.cfg

export SLURM_CONF=$etc/slurm.conf

# ------------------------------------------------------------------ the release's root
# Commands of the release run inside its root; files of the root are reached through $rp.
rp=$root
# The clients (and the taskgov command built for the release) as wrappers that run them inside
# the root: first in PATH here, and for the tests and the demo through `env`.
wrapped_clients=(sbatch srun salloc squeue scontrol scancel sacct sacctmgr sinfo sprio sshare sdiag
                 runuser taskgov)
make_wrappers() {
  local c target
  # A cluster folder made here, even by `env` before any start, is one reset may wipe.
  [ -e "$cdir" ] || { install -d -m 0755 "$cdir"; touch "$cdir/.taskgov-cluster"; }
  install -d -m 0755 "$cdir/bin"
  for c in "${wrapped_clients[@]}"; do
    target=$c
    [ "$c" != taskgov ] || target=$taskgov_in_root
    # No taskgov command where it cannot be built: TASKGOV_BIN names no file, as for any build
    # not made, and the scenarios that need it skip.
    if [ "$c" = taskgov ] && [ -n "$no_build" ]; then continue; fi
    printf '#!/bin/sh\n# %s inside the Slurm %s root (written by scripts/cluster.sh)\nexec %q %q %q "$@"\n' \
      "$c" "${release:-22.05}" "$top/scripts/inroot.sh" "$root" "$target" >"$cdir/bin/.$c"
    chmod 0755 "$cdir/bin/.$c"
    mv "$cdir/bin/.$c" "$cdir/bin/$c"
  done
}
rel=()                                                     # the prefix that runs a command there
if [ -n "$root" ]; then
  rel=("$top/scripts/inroot.sh" "$root")
  in_release() { "$top/scripts/inroot.sh" "$root" "$@"; }
  for c in munge unmunge mariadb mariadb-install-db useradd; do
    eval "$c() { in_release $c \"\$@\"; }"
  done
  [ -x "$cdir/bin/sbatch" ] || [ ! -d "$root/usr/sbin" ] || make_wrappers
  PATH=$cdir/bin:$PATH
else
  in_release() { "$@"; }
fi
# owner NAME: NAME's numeric uid:gid as the release sees it (munge and mysql differ between roots).
owner() { awk -F: -v n="$1" '$1 == n {print $3 ":" $4; f = 1} END {exit !f}' "$rp/etc/passwd"; }
user_known() { awk -F: -v n="$1" '$1 == n {f = 1} END {exit !f}' "$rp/etc/passwd"; }
# host_path PATH: where the host sees PATH of the release (the project folder is the same on both).
host_path() { if [[ $1 == "$top"/* ]]; then echo "$1"; else echo "$rp$1"; fi; }

say() { printf 'cluster: %s\n' "$*"; }
die() { printf 'cluster: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=scripts/clock.sh
. "$top/scripts/clock.sh"

# ------------------------------------------------------------------ processes, by recorded PID
# pids/NAME.pid holds "PID STARTTIME" (starttime from /proc/PID/stat), so a recycled PID is never
# mistaken for ours.
proc_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  local -a f
  read -ra f <<<"$stat"
  [ "${f[0]}" != Z ] || return 1                           # a zombie is not running
  echo "${f[19]}"
}

daemon_pid() {                                             # prints the PID when NAME runs
  local pid start
  [ -s "$pids/$1.pid" ] || return 1
  read -r pid start <"$pids/$1.pid" || return 1
  [ "$(proc_starttime "$pid" 2>/dev/null)" = "$start" ] || return 1
  echo "$pid"
}

running() { daemon_pid "$1" >/dev/null; }

# spawn NAME COMMAND...: run COMMAND as a daemon in its own session, stdout+stderr to log/NAME.out.
spawn() {
  local name=$1 pid start i
  shift
  rm -f "$pids/$name.pid" "$pids/$name.tmp"
  # shellcheck disable=SC2016  # expanded by the inner shell
  setsid bash -c 'echo "$$" >"$0"; exec "$@"' "$pids/$name.tmp" "$@" \
    </dev/null >>"$log/$name.out" 2>&1 &
  for ((i = 0; i < 200; i++)); do
    [ -s "$pids/$name.tmp" ] && break
    sleep 0.01
  done
  pid=$(cat "$pids/$name.tmp" 2>/dev/null) || die "$name did not start"
  start=$(proc_starttime "$pid") || die "$name exited at once; see $log/$name.out"
  echo "$pid $start" >"$pids/$name.pid"
  rm -f "$pids/$name.tmp"
}

# stop_daemons NAME...: SIGTERM each running one, wait up to 20 s, then SIGKILL what is left.
stop_daemons() {
  local name pid i left
  local -A victims=()
  for name in "$@"; do
    if pid=$(daemon_pid "$name"); then
      victims[$name]=$pid
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  for ((i = 0; i < 200; i++)); do
    left=0
    for name in "${!victims[@]}"; do running "$name" && left=1; done
    [ $left = 0 ] && break
    sleep 0.1
  done
  for name in "${!victims[@]}"; do
    if running "$name"; then
      say "$name (pid ${victims[$name]}) ignored SIGTERM for 20 s: SIGKILL"
      kill -KILL "${victims[$name]}" 2>/dev/null || true
    fi
  done
  for name in "$@"; do rm -f "$pids/$name.pid"; done        # stale ones too
}

# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds; fails after SECONDS
# of wall time (an squeue over 100,000 jobs takes seconds itself).
wait_for() {
  local end=$((SECONDS + $1))
  shift
  while ((SECONDS < end)); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

listening() { [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# ------------------------------------------------------------------ configuration
plugin_dir_stock() {
  local full
  full=$(in_release ldd /usr/sbin/slurmctld 2>/dev/null | awk '/libslurmfull/ {print $3}')
  if [ -n "$full" ]; then dirname "$full"; else echo /usr/lib/x86_64-linux-gnu/slurm-wlm; fi
}

plugin_mode() {
  local default=on
  [ -z "$no_build" ] || default=off
  local mode=${TASKGOV_PLUGINS:-$default}
  case $mode in
    on) [ -z "$no_build" ] || die "TASKGOV_PLUGINS=on: $no_build" ;;
    off) ;;
    *) die "TASKGOV_PLUGINS must be on or off, not '$mode'" ;;
  esac
  echo "$mode"
}

check_hostname() {
  local host addrs a
  host=$(hostname)
  addrs=$(getent ahosts "$host" | awk '{print $1}' | sort -u || true)
  [ -n "$addrs" ] || die "host name '$host' does not resolve; add '127.0.0.1 $host' to /etc/hosts"
  for a in $addrs; do
    case $a in
      127.*|::1) ;;
      *) die "host name '$host' resolves to $a: Slurm binds to gethostname()'s address, and this cluster must stay on loopback; map '$host' to 127.0.0.1 only in /etc/hosts" ;;
    esac
  done
}

# render TEMPLATE OUT KEY=VALUE...: replace @KEY@ placeholders; refuse unknown ones.
render() {
  local tpl=$1 out=$2 text kv
  shift 2
  text=$(<"$tpl")
  for kv in "$@"; do
    text=${text//"@${kv%%=*}@"/"${kv#*=}"}
  done
  if [[ $text =~ @[A-Z_]+@ ]]; then die "$tpl: no value for ${BASH_REMATCH[0]}"; fi
  printf '%s\n' "$text" >"$out"
}

policy_source() {
  if [ -n "${TASKGOV_POLICY:-}" ]; then
    [ -f "$TASKGOV_POLICY" ] || die "TASKGOV_POLICY=$TASKGOV_POLICY: no such file"
    echo "$TASKGOV_POLICY"
  elif [ -f "$top/etc/taskgov.json" ]; then
    echo "$top/etc/taskgov.json"
  else
    # Placeholder until the project ships etc/taskgov.json: no teams, shadow mode.
    local ph=$top/build/taskgov-placeholder.json
    mkdir -p "$top/build"
    cat >"$ph" <<'EOF'
{
  "cluster": {
    "priority_classes": [
      {"name": "inference", "weight": 100},
      {"name": "training", "weight": 75},
      {"name": "experimentation", "weight": 50},
      {"name": "normal", "weight": 10}
    ],
    "mode": "shadow",
    "unmapped_accounts": "allow"
  },
  "teams": []
}
EOF
    echo "$ph"
  fi
}

make_dirs() {
  local slurm munge mysql
  slurm=$(owner slurm) munge=$(owner munge) mysql=$(owner mysql)
  install -d -m 0755 "$cdir" "$etc" "$pids" "$cdir/spool" "$cdir/dev"
  install -d -m 0755 -o "${slurm%:*}" -g "${slurm#*:}" "$cdir/state" "$cdir/log" "$cdir/run"
  install -d -m 1777 "$cdir/jobs"
  install -d -m 0700 -o "${munge%:*}" -g "${munge#*:}" "$cdir/munge"
  install -d -m 0750 -o "${mysql%:*}" -g "${mysql#*:}" "$cdir/mysql"
  touch "$cdir/.taskgov-cluster"
  [ -z "$root" ] || make_wrappers
  local i
  for i in 0 1 2 3 4 5 6 7; do
    [ -c "$cdir/dev/nvidia$i" ] || mknod -m 0666 "$cdir/dev/nvidia$i" c 195 "$i"
  done
}

# write_configs MODE POLICY-FILE: writes the configs; prints what changed: "dbd", "slurm" (beyond the mode lines), "mode", "policy".
write_configs() {
  local mode=$1 policy=$2 new=$etc/.new prio preempt jsub plugin_dir noop_plugins slurm
  mkdir -p "$new"
  if [ "$mode" = on ]; then
    prio=priority/taskgov preempt=preempt/taskgov jsub=JobSubmitPlugins=taskgov
  else
    prio=priority/multifactor preempt=preempt/qos jsub='# JobSubmitPlugins: none (TASKGOV_PLUGINS=off)'
  fi
  [ -s "$etc/db-password" ] || (umask 077; od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$etc/db-password")
  # Slurm refuses a PluginDir entry that does not exist: the build's folder only once it is built.
  plugin_dir=$(plugin_dir_stock)
  [ ! -d "$(host_path "$plugin_build_dir")" ] || [ "$plugin_build_dir" = "$plugin_dir" ] ||
    plugin_dir+=:$plugin_build_dir
  if [ -z "$release" ]; then                                # 22.05, the host's or in a root
    noop_plugins=$'TaskPlugin=task/none\nJobAcctGatherType=jobacct_gather/none\nSwitchType=switch/none\nMpiDefault=none'
  else
    # 24.11 and 26.05 have no task/none, jobacct_gather/none or switch/none: unset is "none".
    noop_plugins='# TaskPlugin, JobAcctGatherType, SwitchType, MpiDefault: unset (none)'
  fi
  render "$top/etc/cluster/slurm.conf.in" "$new/slurm.conf" "CLUSTER_DIR=$cdir" "HOSTNAME=$(hostname)" \
    "PLUGIN_DIR=$plugin_dir" "PRIORITY_TYPE=$prio" "PREEMPT_TYPE=$preempt" \
    "JOB_SUBMIT_LINE=$jsub" "NOOP_PLUGINS=$noop_plugins" "CTLD_PORT=$ctld_port" \
    "SLURMD_PORT=$slurmd_port" "DBD_PORT=$dbd_port" \
    "H100_PORTS=$((17001 + port_offset))-$((17002 + port_offset))" \
    "A100_PORTS=$((17011 + port_offset))-$((17012 + port_offset))" "TRN_PORT=$((17021 + port_offset))"
  render "$top/etc/cluster/gres.conf.in" "$new/gres.conf" "CLUSTER_DIR=$cdir"
  if [ -n "$root" ]; then
    # slurmd sets up a cgroup plugin whatever ProctrackType says, and a root has no cgroup tree
    # (R3); the emulated nodes share one host anyway. 22.05 has no "disabled", and its autodetect
    # fails there, but cgroup/v1 touches nothing at init and nothing here uses it later.
    local cgroup_plugin=disabled
    [ -n "$release" ] || cgroup_plugin=cgroup/v1
    printf '# taskgov local cluster (scripts/cluster.sh): no cgroups, nodes share one host\nCgroupPlugin=%s\n' \
      "$cgroup_plugin" >"$new/cgroup.conf"
  fi
  render "$top/etc/cluster/slurmdbd.conf.in" "$new/slurmdbd.conf" "CLUSTER_DIR=$cdir" \
    "DB_PORT=$db_port" "DBD_PORT=$dbd_port" "DB_PASSWORD=$(cat "$etc/db-password")"
  cp "$policy" "$new/taskgov.json"

  # Only slurmctld loads these: changing them restarts slurmctld alone.
  local modeless='^(JobSubmitPlugins|# JobSubmitPlugins|PriorityType|PreemptType|PluginDir)'
  if ! cmp -s "$new/slurmdbd.conf" "$etc/slurmdbd.conf"; then echo dbd; fi
  if ! cmp -s "$new/gres.conf" "$etc/gres.conf" ||
     ! cmp -s <(grep -Ev "$modeless" "$new/slurm.conf") <(grep -Ev "$modeless" "$etc/slurm.conf" 2>/dev/null); then
    echo slurm
  elif ! cmp -s "$new/slurm.conf" "$etc/slurm.conf"; then
    echo mode
  fi
  if ! cmp -s "$new/taskgov.json" "$etc/taskgov.json"; then echo policy; fi

  if [ "$(cat "$etc/sanitize" 2>/dev/null || echo 0)" != "$sanitize" ]; then echo mode; fi
  echo "$sanitize" >"$new/sanitize"
  install -m 0644 "$new/slurm.conf" "$new/gres.conf" "$new/taskgov.json" "$new/sanitize" "$etc/"
  [ ! -f "$new/cgroup.conf" ] || install -m 0644 "$new/cgroup.conf" "$etc/"
  slurm=$(owner slurm)
  install -m 0600 -o "${slurm%:*}" -g "${slurm#*:}" "$new/slurmdbd.conf" "$etc/"
  rm -rf "$new"
}

check_plugins_built() {
  local p
  for p in job_submit priority preempt; do
    [ -f "$(host_path "$plugin_build_dir")/${p}_taskgov.so" ] ||
      die "TASKGOV_PLUGINS=on but $plugin_build_dir/${p}_taskgov.so is not built: run scripts/build.sh, or start with TASKGOV_PLUGINS=off"
  done
}

# ------------------------------------------------------------------ the daemons
munge_ok() { munge -n -S "$munge_socket" 2>/dev/null | unmunge -S "$munge_socket" >/dev/null 2>&1; }

start_munge() {
  running munged && return 0
  if munge_ok; then
    say "munged: using the munged already serving $munge_socket (not started by this script)"
    return 0
  fi
  local key=/etc/munge/munge.key munge
  if [ ! -s "$rp$key" ]; then
    key=$cdir/munge/munge.key
    [ -s "$key" ] || in_release runuser -u munge -- mungekey --create --keyfile="$key"
  fi
  munge=$(owner munge)
  install -d -o "${munge%:*}" -g "${munge#*:}" -m 0755 "$rp$(dirname "$munge_socket")"
  spawn munged "${rel[@]}" setpriv --reuid=munge --regid=munge --init-groups -- /usr/sbin/munged --foreground \
    --socket="$munge_socket" --key-file="$key" --pid-file="$cdir/munge/munged.pid" \
    --log-file="$cdir/munge/munged.log" --seed-file="$cdir/munge/munged.seed"
  wait_for 10 munge_ok || die "munged does not answer on $munge_socket; see $cdir/munge/munged.log"
}

mysql_root() { mariadb --no-defaults --socket="$mysql_socket" -uroot "$@"; }

start_mariadb() {
  running mariadbd && return 0
  listening "$db_port" && die "port $db_port is in use by a process this script did not start"
  local fresh=0
  if [ ! -d "$cdir/mysql/data/mysql" ]; then
    fresh=1
    rm -rf "$cdir/mysql/data"
    local mysql
    mysql=$(owner mysql)
    install -d -m 0700 -o "${mysql%:*}" -g "${mysql#*:}" "$cdir/mysql/data"
    mariadb-install-db --no-defaults --datadir="$cdir/mysql/data" --user=mysql \
      --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve --innodb-log-file-size=16M \
      >>"$log/mariadb-install-db.log" 2>&1 || die "mariadb-install-db failed; see $log/mariadb-install-db.log"
  fi
  local extra=()
  # MariaDB 11.8 (Debian 13 and sid) turns snapshot isolation on, which Slurm does not support,
  # and slurmdbd 26.05 says so at every start (R8).
  [ -z "$release" ] || extra+=(--innodb-snapshot-isolation=OFF)
  spawn mariadbd "${rel[@]}" /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$cdir/mysql/data" \
    --socket="$mysql_socket" --pid-file="$cdir/mysql/mariadbd.pid" --bind-address=127.0.0.1 \
    --port="$db_port" --skip-name-resolve --innodb-buffer-pool-size=128M --innodb-log-file-size=16M \
    --innodb-lock-wait-timeout=900 "${extra[@]}"
  wait_for 30 mysql_root -e 'SELECT 1' || die "MariaDB did not come up; see $log/mariadbd.out"
  if [ $fresh = 1 ] || ! mysql_root -N -e "SELECT 1 FROM mysql.user WHERE user='slurm'" | grep -q 1; then
    mysql_root -e "CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$(cat "$etc/db-password")';
                   GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1'; FLUSH PRIVILEGES;"
  fi
  # Made before slurmdbd's first start: slurmdbd 24.11 with libmariadb 3.4 fails every query on
  # the connection it reopens after creating the database itself (R1).
  mysql_root -e 'CREATE DATABASE IF NOT EXISTS slurm_acct_db'
}

start_slurmdbd() {
  running slurmdbd && return 0
  listening "$dbd_port" && die "port $dbd_port is in use by a process this script did not start"
  spawn slurmdbd "${rel[@]}" /usr/sbin/slurmdbd -D
  wait_for 30 listening "$dbd_port" || die "slurmdbd is not listening on $dbd_port; see $log/slurmdbd.log"
}

# LD_PRELOAD for the sanitized plugins: gcc's ASan runtime (of the compiler that built them),
# then libstdc++. slurmctld is C, so libstdc++ would come only with the plugins, after ASan set
# up its interceptors: ASan would find no real __cxa_throw and abort slurmctld at the first C++
# exception, even a caught one (seen: spdlog's on a full disk, test 18).
sanitizer_runtime() {
  local asan cxx
  asan=$(${CC:-gcc} -print-file-name=libasan.so)
  [ -f "$asan" ] || die "no libasan.so for ${CC:-gcc}: install libasan8 (gcc's ASan runtime)"
  cxx=$(${CC:-gcc} -print-file-name=libstdc++.so.6)
  [ -f "$cxx" ] || die "no libstdc++.so.6 for ${CC:-gcc}"
  echo "$(readlink -f "$asan"):$(readlink -f "$cxx")"
}

ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }

start_slurmctld() {
  running slurmctld && return 0
  listening "$ctld_port" && die "port $ctld_port is in use by a process this script did not start"
  local -a env=()
  if [ "$(cat "$etc/sanitize" 2>/dev/null)" = 1 ]; then
    # slurmctld itself is not instrumented: the runtime must be loaded first, before the
    # plugins that need it. Reports do not stop slurmctld (halt_on_error=0, the plugins are
    # built with -fsanitize-recover), so one run lists them all. No leak detection: slurmctld
    # deliberately frees little at exit (plugins' fini are not even called, P8), so LeakSanitizer
    # would report Slurm's own allocations; the engine's leaks are covered by make
    # check-sanitized and the fuzz targets, which run with detect_leaks=1.
    env=(env "LD_PRELOAD=$(sanitizer_runtime)"
         "ASAN_OPTIONS=log_path=$log/asan:halt_on_error=0:detect_leaks=0:abort_on_error=0"
         "UBSAN_OPTIONS=log_path=$log/ubsan:halt_on_error=0:print_stacktrace=1")
  fi
  spawn slurmctld "${env[@]}" "${rel[@]}" /usr/sbin/slurmctld -D
  local i
  # Reloading 200,000 saved jobs (the 10x scheduling benchmark) takes slurmctld tens of seconds.
  for ((i = 0; i < 1200; i++)); do
    ctld_up && return 0
    if ! running slurmctld; then
      tail -n 20 "$log/slurmctld.out" 2>/dev/null | sed 's/^/  /' >&2 || true
      die "slurmctld exited; see $log/slurmctld.log and $log/slurmctld.out"
    fi
    sleep 0.1
  done
  die "slurmctld does not answer scontrol ping after 120 s; see $log/slurmctld.log"
}

start_slurmds() {
  local n
  for n in "${nodes[@]}"; do
    running "slurmd-$n" || spawn "slurmd-$n" "${rel[@]}" /usr/sbin/slurmd -D -N "$n"
  done
}

# Ready: every node idle, mixed or allocated, and responding. Nodes left DRAIN/DOWN/INVAL by an
# earlier configuration or run (P2) are resumed once their slurmd responds.
nodes_ready() {                                            # $1: also resume drained nodes
  local n st bad=0 resume=()
  while read -r n st; do
    case $st in
      idle|mix|mixed|alloc|allocated|comp|completing) ;;
      *\*|*~|unk*) bad=1 ;;                                 # not responding yet
      *) bad=1; resume+=("$n") ;;
    esac
  done < <(sinfo -h -N -o '%N %t' 2>/dev/null | sort -u)
  [ "${#nodes[@]}" -eq "$(sinfo -h -N -o '%N' 2>/dev/null | sort -u | wc -l)" ] || return 1
  if [ ${#resume[@]} -gt 0 ] && [ "${1:-}" = resume ]; then
    local IFS=,
    scontrol update nodename="${resume[*]}" state=resume >/dev/null 2>&1 || true
  fi
  return $bad
}

wait_nodes() {
  local i
  for ((i = 0; i < 300; i++)); do
    if ((i % 10 == 9)); then nodes_ready resume && return 0; else nodes_ready && return 0; fi
    sleep 0.1
  done
  sinfo -N -o '%N %t %E' >&2 || true
  die "nodes not ready after 30 s; see $log/slurmd-*.log"
}

# ------------------------------------------------------------------ accounting
# The associations accounts.cfg asks for, as `sacctmgr -nP show assoc format=account,parentname,user,qos`
# prints them ("acct|parent||" for accounts, "acct||user|sorted,qos" for users), one per line.
wanted_assocs() {
  local line parent='' name qos re="^(Parent|Account|User) - '([^']+)'" qre="QOS='([^']+)'"
  while IFS= read -r line; do
    [[ $line =~ $re ]] || continue
    name=${BASH_REMATCH[2]}
    case ${BASH_REMATCH[1]} in
      Parent) parent=$name ;;
      Account) echo "$name|$parent||" ;;
      User)
        qos=normal
        if [[ $line =~ $qre ]]; then qos=${BASH_REMATCH[1]}; fi
        echo "$parent||$name|$(tr , '\n' <<<"$qos" | sort | paste -sd,)" ;;
    esac
  done <"$accounts_cfg"
}

ensure_accounting() {
  wait_for 30 bash -c "sacctmgr -nP show cluster format=cluster | grep -qx '$cluster_name'" ||
    die "slurmctld did not register cluster $cluster_name in slurmdbd"
  local have_qos spec name u have missing
  have_qos=$(sacctmgr -nP show qos format=name)
  for spec in "${qos_list[@]}"; do
    name=${spec%%:*}
    grep -qx "$name" <<<"$have_qos" || sacctmgr -i -Q add qos "$name" Priority="${spec#*:}" >/dev/null
  done
  for u in $(wanted_assocs | awk -F'|' '$3 != "" {print $3}' | sort -u); do
    id "$u" >/dev/null 2>&1 || /usr/sbin/useradd -m -s /bin/bash "$u"
    # In a release's root the same users, with the host's uids (the job folders are shared).
    [ -z "$root" ] || user_known "$u" || useradd -m -s /bin/bash -u "$(id -u "$u")" "$u"
  done
  # Accounts' QOS are not compared, only users'.
  have=$(sacctmgr -nP show assoc cluster="$cluster_name" format=account,parentname,user,qos |
         awk -F'|' '{ if ($3 == "") print $1 "|" $2 "||"; else print }')
  missing=$(comm -23 <(wanted_assocs | sort) <(sort <<<"$have"))
  if [ -n "$missing" ]; then
    sacctmgr -i load file="$accounts_cfg" >"$log/sacctmgr-load.out" 2>&1 ||
      die "sacctmgr load $accounts_cfg failed; see $log/sacctmgr-load.out"
  fi
  # slurmctld gets these from slurmdbd asynchronously; wait until it knows the last user.
  u=$(wanted_assocs | awk -F'|' '$3 != "" {u = $3} END {print u}')
  wait_for 10 bash -c "scontrol show assoc_mgr users=$u flags=assoc | grep -q 'UserName=$u'" ||
    die "slurmctld does not know user $u's association after 10 s"
}

# ------------------------------------------------------------------ commands
cmd_start() {
  [ "$(id -u)" -eq 0 ] || die "start must run as root"
  local t0 mode policy changes restart_ctld=0 restart_slurmds=0
  t0=$(now)
  mode=$(plugin_mode)
  [ -z "$release" ] || [ -n "${TASKGOV_SLURM_ROOT:-}" ] || "$top/scripts/slurm-root.sh" "$release" ensure >/dev/null
  [ "$mode" = off ] || check_plugins_built
  check_hostname
  make_dirs
  policy=$(policy_source)
  changes=$(write_configs "$mode" "$policy")
  case $changes in *dbd*) running slurmdbd && stop_daemons slurmdbd ;; esac
  case $changes in *slurm*) restart_ctld=1 restart_slurmds=1 ;; *mode*) restart_ctld=1 ;; esac
  if [ $restart_slurmds = 1 ] && running "slurmd-${nodes[0]}"; then
    say "configuration changed: restarting slurmctld and slurmd"
    stop_daemons slurmctld "${nodes[@]/#/slurmd-}"
  elif [ $restart_ctld = 1 ] && running slurmctld; then
    if [ $restart_slurmds = 1 ]; then say "configuration changed: restarting slurmctld"
    else say "plugin mode is now $mode: restarting slurmctld"; fi
    stop_daemons slurmctld
  fi
  start_munge
  start_mariadb
  start_slurmdbd
  local ctld_was_up=0 slurmds_were_up=0
  running slurmctld && ctld_was_up=1
  running "slurmd-${nodes[0]}" && slurmds_were_up=1
  start_slurmds
  start_slurmctld
  if [ $ctld_was_up = 0 ] && [ $slurmds_were_up = 1 ]; then
    # A new slurmctld would wait for its first node ping (3-6 s) to see the running slurmds;
    # a reconfigure makes them register at once.
    scontrol reconfigure
  elif [ $ctld_was_up = 1 ] && [ "$mode" = on ] && [[ $changes == *policy* ]]; then
    say "policy changed: scontrol reconfigure"
    scontrol reconfigure
  fi
  ensure_accounting
  wait_nodes
  say "up in $(elapsed "$t0" 1) s (Slurm $(in_release /usr/sbin/slurmctld -V | awk '{print $2}'), plugins $mode, SLURM_CONF=$SLURM_CONF)"
}

cmd_restart_slurmctld() {
  [ "$(id -u)" -eq 0 ] || die "restart-slurmctld must run as root"
  running slurmctld || die "slurmctld is not running: scripts/cluster.sh start"
  local t0
  t0=$(now)
  stop_daemons slurmctld
  start_slurmctld
  say "slurmctld restarted in $(elapsed "$t0" 1) s"
}

# cancel_jobs [STATES]: every job, or those in squeue's STATES (e.g. running,completing).
cancel_jobs() {
  ctld_up || return 0
  local jobs states=(${1:+-t "$1"})
  jobs=$(squeue -h "${states[@]}" -o %i 2>/dev/null) || return 0
  [ -n "$jobs" ] || return 0
  # shellcheck disable=SC2086  # one job id per word
  scancel $jobs 2>/dev/null || true
  # shellcheck disable=SC2016  # expanded by the inner shell
  wait_for 20 bash -c '[ -z "$(squeue -h "${@:1}" -o %i 2>/dev/null)" ]' cancel_jobs "${states[@]}" ||
    say "some jobs still listed after 20 s; stopping anyway"
}

# cmd_stop [STATES]: cancels the jobs (those in STATES only, when given), then stops the daemons.
cmd_stop() {
  [ "$(id -u)" -eq 0 ] || die "stop must run as root"
  [ -d "$pids" ] || return 0
  cancel_jobs "${1:-}"
  stop_daemons slurmctld "${nodes[@]/#/slurmd-}"
  stop_daemons slurmdbd
  stop_daemons mariadbd munged
  say "stopped"
}

cmd_status() {
  local name pid rc=0
  for name in "${daemons[@]}"; do
    if pid=$(daemon_pid "$name"); then
      printf '%-16s %8s  up\n' "$name" "$pid"
    elif [ "$name" = munged ] && munge_ok; then
      printf '%-16s %8s  up (not started by this script)\n' "$name" -
    else
      printf '%-16s %8s  down\n' "$name" -
      rc=1
    fi
  done
  if [ -f "$etc/slurm.conf" ]; then
    printf '\nplugins: %s\n' "$(grep -q '^PriorityType=priority/taskgov' "$etc/slurm.conf" && echo on || echo off)"
  fi
  return $rc
}

cmd_reset() {
  # Pending jobs go with the wiped state; cancelling 100,000 of them one RPC each took minutes.
  cmd_stop running,completing
  if [ -d "$cdir" ]; then
    [ -f "$cdir/.taskgov-cluster" ] || die "$cdir has no .taskgov-cluster marker; not wiping it"
    rm -rf "$cdir"
  fi
  say "wiped $cdir (state, spool, logs, MariaDB data with slurm_acct_db)"
}

cmd_env() {
  printf 'export SLURM_CONF=%q\n' "$SLURM_CONF"
  printf 'export TASKGOV_CLUSTER_DIR=%q\n' "$cdir"
  if [ -n "$root" ]; then
    [ -z "$release" ] || printf 'export TASKGOV_SLURM=%q\n' "$release"
    [ -z "${TASKGOV_SLURM_ROOT:-}" ] || printf 'export TASKGOV_SLURM_ROOT=%q\n' "$root"
    printf 'export PATH=%q:"$PATH"\n' "$cdir/bin"
    printf 'export TASKGOV_BIN=%q\n' "$cdir/bin/taskgov"
    printf 'export TASKGOV_PLUGIN_DIR=%q\n' "$plugin_build_dir"
  fi
}

case ${1:-} in
  start) cmd_start ;;
  restart-slurmctld) cmd_restart_slurmctld ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  reset) cmd_reset ;;
  env) cmd_env ;;
  *) echo "usage: $0 start [--sanitize]|restart-slurmctld|stop|status|reset|env" >&2; exit 2 ;;
esac
