#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/check-plugin-symbols.sh passes the real plugins and refuses a plugin built for another Slurm
# release (the micro release before the cluster's, e.g. 0x160507 for 22.05.8) or with a symbol
# slurmctld cannot provide. Skips (after the refusal checks) when the real plugins are not built.
# Runs where the cluster's Slurm is installed (the host, or another release's root).
. "$(dirname "$0")/lib.sh"

check=("${TG_IN_RELEASE[@]}" "$TG_TOP/scripts/check-plugin-symbols.sh")
version=$("${TG_IN_RELEASE[@]}" /usr/sbin/slurmctld -V | awk '{print $2}')      # 22.05.8
IFS=. read -r vmaj vmin vmic <<<"$version"
want=$(printf '0x%02x%02x%02x' "$((10#$vmaj))" "$((10#$vmin))" "$((10#$vmic))")
older=$(printf '0x%02x%02x%02x' "$((10#$vmaj))" "$((10#$vmin))" "$((10#$vmic - 1))")
fixtures=$TG_TOP/build/test-fixtures
mkdir -p "$fixtures"

# fixture NAME VERSION [EXTRA-C]: a throwaway job_submit plugin, built without Slurm headers.
fixture() {
  printf '#include <stdint.h>\nconst char plugin_name[] = "%s";\nconst char plugin_type[] = "job_submit/%s";\nconst uint32_t plugin_version = %s;\nextern void slurm_xfree(void **);\nint init(void) { void *p = 0; slurm_xfree(&p); %s return 0; }\n' \
    "$1" "$1" "$2" "${3:-}" >"$fixtures/$1.c"
  gcc -shared -fPIC -o "$fixtures/$1.so" "$fixtures/$1.c" || tg_fatal "cannot build fixture $1"
}
fixture good "$want"
fixture oldver "$older"
fixture missing "$want" 'extern void slurm_no_such_function(void); slurm_no_such_function();'

tg_assert_ok "a plugin for $version using libslurmfull symbols passes" "${check[@]}" "$fixtures/good.so"
out=$("${check[@]}" "$fixtures/oldver.so" 2>&1); rc=$?
tg_assert_eq "a plugin built for the micro release before $version is refused (exit 1)" 1 "$rc"
tg_assert_contains "the refusal names both versions" "plugin_version is 0x00${older#0x} but the installed Slurm $version needs $want" "$out"
out=$("${check[@]}" "$fixtures/missing.so" 2>&1); rc=$?
tg_assert_eq "a plugin with an unresolvable symbol is refused (exit 1)" 1 "$rc"
tg_assert_contains "the refusal names the symbol" "undefined symbol 'slurm_no_such_function'" "$out"

if tg_plugins_built; then
  tg_assert_ok "the taskgov plugins pass" "${check[@]}" "$TG_PLUGIN_DIR"/{job_submit,priority,preempt}_taskgov.so
else
  [ "$TG_FAILED" = 1 ] || tg_skip "the taskgov plugins are not built; the refusal checks passed"
fi
tg_done
