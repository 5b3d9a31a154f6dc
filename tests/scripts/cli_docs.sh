#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# README's command list is the one generated from the option tables, and
# the top-level help lists every form of the table.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"

readme=$(sed -n '/<!-- commands: begin/,/<!-- commands: end/p' "$src/README.md" |
	sed '1d;$d')
check "README command list = p2mkit help --markdown" \
	test "$readme" = "$("$bin" help --markdown)"

help=$("$bin" --help)
while IFS=$'\t' read -r inv _; do
	title=${inv% list}
	check "p2mkit --help lists $title" grep -q -- "^  $title " <<<"$help"
done < <("$bin" help --table | sort -u -t$'\t' -k1,1)
finish
