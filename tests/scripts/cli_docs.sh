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
while read -r title; do
	check "p2mkit --help lists $title" grep -q -- "^  $title " <<<"$help"
	read -ra words <<<"$title"
	check "$title --help names the form" grep -q -- "^usage: p2mkit $title" \
		<("$bin" "${words[@]}" --help)
done < <("$bin" help --markdown | sed -n 's/^| `p2mkit \(.*\)` |.*/\1/p')
finish
