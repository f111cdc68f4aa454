#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Checks Slurm plugins without loading them (slurmctld dlopens with RTLD_LAZY, so a missing function
# would only fail at its first call, and a plugin built for another release is refused at load):
#   - every NEEDED library resolves;
#   - every undefined dynamic symbol is defined by slurmctld, libslurmfull (and the libraries they
#     need), or by the libraries the plugin itself needs;
#   - plugin_name, plugin_type and plugin_version are exported data symbols, and plugin_version
#     equals the installed Slurm's SLURM_VERSION_NUMBER (computed from `slurmctld -V`).
# Usage: scripts/check-plugin-symbols.sh PLUGIN.so...
# Prints one line per failure; exits 1 when any check fails, 2 on a usage error.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: $0 PLUGIN.so..." >&2; exit 2; }

slurmctld=${SLURMCTLD:-$(command -v slurmctld || echo /usr/sbin/slurmctld)}
[ -x "$slurmctld" ] || { echo "check-plugin-symbols: slurmctld not found" >&2; exit 2; }

# "slurm-wlm 22.05.8" -> 0x160508, as SLURM_VERSION_NUMBER is built in slurm_version.h
version=$("$slurmctld" -V | awk '{print $2}')
IFS=. read -r vmaj vmin vmic <<<"$version"
want=$(printf '0x%02x%02x%02x' "$((10#$vmaj))" "$((10#$vmin))" "$((10#${vmic%%[!0-9]*}))")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# exports FILE: defined dynamic symbols of FILE, one name per line (version suffix removed), cached.
exports() {
  local out
  out=$tmp/exp.$(printf '%s' "$1" | md5sum | cut -c1-16)
  if [ ! -f "$out" ]; then
    nm -D --defined-only "$1" 2>/dev/null | awk 'NF >= 3 {sub(/@.*/, "", $3); print $3}' | sort -u >"$out"
  fi
  cat "$out"
}

# libs FILE: absolute paths of the libraries FILE loads (transitively), per ldd, and the dynamic
# loader (ldd lists it by path alone; every process has it, with __tls_get_addr for a plugin's
# thread-local variables); "NAME not found" lines are reported by the caller.
libs() { ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'; }

# The scope slurmctld gives every plugin: its own exports and those of the libraries it loads.
{
  exports "$slurmctld"
  for l in $(libs "$slurmctld"); do exports "$l"; done
} | sort -u >"$tmp/host"
grep -qx slurm_xfree "$tmp/host" || { echo "check-plugin-symbols: cannot read slurmctld's exports (libslurmfull missing?)" >&2; exit 2; }

failures=0
fail() { printf '%s: %s\n' "$1" "$2"; failures=$((failures + 1)); }

# u32_at FILE ADDRESS: the 32-bit little-endian value stored at ADDRESS (hex) in FILE, from the file's
# bytes (objdump -s); prints nothing when ADDRESS has no file contents (e.g. .bss).
u32_at() {
  local start=$((16#$1)) hex
  hex=$(objdump -s --start-address="$start" --stop-address="$((start + 4))" "$2" 2>/dev/null |
        awk '/^Contents of section/ {on = 1; next} on && NF >= 2 {print $2; exit}')
  [ ${#hex} -eq 8 ] || return 0
  echo "0x${hex:6:2}${hex:4:2}${hex:2:2}${hex:0:2}"
}

for so in "$@"; do
  if [ ! -f "$so" ]; then fail "$so" "no such file"; continue; fi
  if ! readelf -h "$so" 2>/dev/null | grep -q "Type:.*DYN"; then fail "$so" "not an ELF shared object"; continue; fi

  # NEEDED libraries must resolve (RUNPATH, or the default search path).
  while read -r lib; do
    fail "$so" "NEEDED $lib not found (RUNPATH: $(readelf -d "$so" | awk '/RUNPATH|RPATH/ {print $NF}' | tr -d '[]' | paste -sd' ' || true))"
  done < <(ldd "$so" 2>/dev/null | awk '$2 == "=>" && $3 == "not" {print $1}')

  { cat "$tmp/host"; for l in $(libs "$so"); do exports "$l"; done; } | sort -u >"$tmp/scope"
  nm -D --undefined-only "$so" | awk '$1 == "U" {sub(/@.*/, "", $2); print $2}' | sort -u >"$tmp/undef"
  while read -r sym; do
    fail "$so" "undefined symbol '$sym' is exported by neither slurmctld, libslurmfull nor the plugin's NEEDED libraries"
  done < <(comm -23 "$tmp/undef" "$tmp/scope")

  for sym in plugin_name plugin_type plugin_version; do
    nm -D --defined-only "$so" | awk -v s="$sym" '$3 == s && $2 ~ /^[RDBVrdb]$/ {f=1} END {exit !f}' ||
      fail "$so" "no exported data symbol '$sym' (C++: define it inside extern \"C\")"
  done
  addr=$(nm -D --defined-only "$so" | awk '$3 == "plugin_version" {print $1; exit}')
  if [ -n "$addr" ]; then
    got=$(u32_at "$addr" "$so")
    if [ -z "$got" ]; then
      fail "$so" "cannot read plugin_version at 0x$addr (in .bss? it must be a const initialised to SLURM_VERSION_NUMBER)"
    elif [ $((got & 0xffffff)) -ne $((want)) ]; then
      fail "$so" "plugin_version is $got but the installed Slurm $version needs $want: rebuild against the matching Slurm source"
    fi
  fi
done

if [ $failures -gt 0 ]; then
  echo "check-plugin-symbols: $failures problem(s) in $# plugin(s)"
  exit 1
fi
echo "check-plugin-symbols: $# plugin(s) OK for Slurm $version ($want)"
