#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Renders each man page the way man(1) shows it on an 80-column terminal and fails on any
# warning: anything groff or man prints on standard error (groff's every warning category,
# -ww), a failing man, empty output, output without a NAME section, a NAME line whatis
# cannot parse (lexgrog), or a rendered line wider than the terminal.
#   tests/man/render.sh            the pages in man/
#   tests/man/render.sh FILE...    those files
# Exits 0 when every page renders cleanly, 1 otherwise, naming the page and the warning.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
width=80
export LC_ALL=C.UTF-8 MANWIDTH=$width
# No pager, no user or site options changing what man runs.
unset MANOPT MANPAGER PAGER MANROFFOPT MAN_KEEP_FORMATTING

command -v man >/dev/null || { echo "render: man not found (install man-db and groff-base)" >&2; exit 1; }

if [ $# -gt 0 ]; then
  pages=("$@")
else
  pages=("$top"/man/*.[1-9])
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad=0
for page in "${pages[@]}"; do
  name=${page#"$top"/}
  problems=()
  if [ ! -f "$page" ]; then
    echo "$name: no such file"
    bad=1
    continue
  fi
  # --warnings=w is groff's -ww: every warning category ("all" leaves out mac, di and reg,
  # so an undefined macro would pass).
  man --warnings=w -l "$page" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc = 0 ] || problems+=("man -l exited with status $rc")
  while IFS= read -r line; do
    problems+=("$line")
  done <"$tmp/err"
  if [ ! -s "$tmp/out" ]; then
    problems+=("man -l printed nothing")
  else
    grep -qx 'NAME' "$tmp/out" || problems+=("no NAME section in the rendered page")
    n=0
    while IFS= read -r line; do
      n=$((n + 1))
      if [ ${#line} -gt $width ]; then
        problems+=("rendered line $n is ${#line} columns wide, more than $width: ${line#"${line%%[! ]*}"}")
      fi
    done <"$tmp/out"
  fi
  # whatis and apropos read the NAME line through lexgrog.
  if command -v lexgrog >/dev/null && ! lexgrog "$page" >/dev/null 2>"$tmp/err"; then
    problems+=("lexgrog cannot parse the NAME section (whatis would not find the page)")
  fi
  if [ ${#problems[@]} = 0 ]; then
    echo "$name: ok"
  else
    bad=1
    for p in "${problems[@]}"; do echo "$name: $p"; done
  fi
done
exit $bad
