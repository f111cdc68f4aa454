#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# inroot.sh ROOT CMD...: run CMD chrooted into ROOT (a root made by scripts/slurm-root.sh), in a
# private mount namespace where /proc, /sys (read-only, so no cgroup tree: R3) and /dev/pts are
# mounted, and the project folder is bound at its own path, so that cluster folders, job folders,
# builds and logs have the same paths inside and outside. The mounts vanish with the namespace.
# CMD starts in the caller's working directory when the root has it, else in /. The environment is
# reset; SLURM_* and TASKGOV_* variables pass through.
# unshare, bash, chroot and env all exec: the PID of `inroot.sh ROOT CMD &` is CMD's own.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: inroot.sh ROOT CMD..." >&2; exit 2; }
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=$1
shift
[ -x "$root/bin/sh" ] || { echo "inroot: $root is not a root (run scripts/slurm-root.sh)" >&2; exit 2; }
vars=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
      TERM=dumb DEBIAN_FRONTEND=noninteractive)
while IFS= read -r v; do vars+=("$v=${!v}"); done < <(compgen -e | grep -E '^(SLURM|TASKGOV)_' || true)
# shellcheck disable=SC2016  # expanded by the inner shells
exec unshare --mount --propagation private bash -ec '
root=$1 top=$2 cwd=$3 nvars=$4
shift 4
mount -t proc proc "$root/proc"
mount --bind -o ro /sys "$root/sys" 2>/dev/null || mount --bind /sys "$root/sys"
mkdir -p "$root/dev/pts" "$root$top"
mount --bind /dev/pts "$root/dev/pts"
mount --bind "$top" "$root$top"
exec chroot "$root" /usr/bin/env -i "${@:1:nvars}" /bin/sh -c "cd \"\$0\" 2>/dev/null || cd /; exec \"\$@\"" "$cwd" "${@:nvars+1}"
' inroot "$root" "$top" "$PWD" "${#vars[@]}" "${vars[@]}" "$@"
