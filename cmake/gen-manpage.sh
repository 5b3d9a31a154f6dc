#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Writes the p2mkit(1) man page from the binary's own option tables: the
# list of forms of `p2mkit help --markdown` (what `p2mkit --help` lists),
# then `p2mkit FORM --help` for every form ("run", "run --set KEY=...",
# "combine intel", "explain --policy NAME").  The tables are the one
# source; nothing here lists commands.
#
# Usage: gen-manpage.sh P2MKIT-BINARY OUTPUT
set -euo pipefail
bin=$1 out=$2

# roff-safe text: backslashes escaped, no line may start a request.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

version=$("$bin" --version)
forms=() summaries=()
while IFS=$'\t' read -r title summary; do
	forms+=("$title") summaries+=("$summary")
done < <("$bin" help --markdown | sed -n 's/^| `p2mkit \(.*\)` | \(.*\) |$/\1\t\2/p')
((${#forms[@]})) || {
	echo "gen-manpage: no forms in '$bin help --markdown'" >&2
	exit 1
}

# section CMD...: the help of `p2mkit CMD...` as a preformatted block.
section() {
	echo ".SS p2mkit $*"
	echo ".nf"
	"$bin" "$@" --help 2>&1 | roff
	echo ".fi"
}

{
	echo ".TH P2MKIT 1 \"\" \"$version\" \"User Commands\""
	echo ".SH NAME"
	echo "p2mkit \\- explain, simulate and audit how virtual machines see physical memory"
	echo ".SH SYNOPSIS"
	echo ".B p2mkit"
	echo ".I COMMAND"
	echo "[\\fIARGS\\fR...]"
	echo ".br"
	echo ".B p2mkit"
	echo ".I COMMAND"
	echo ".B \\-\\-help"
	echo ".SH COMMANDS"
	for i in "${!forms[@]}"; do
		printf '.TP\n.B %s\n' "$(roff <<<"${forms[i]}")"
		roff <<<"${summaries[i]}"
	done
	echo ".SH DETAILS"
	for title in "${forms[@]}"; do
		read -ra words <<<"$title"
		section "${words[@]}"
	done
	echo ".SH EXIT STATUS"
	echo "0 on success, 1 when the operation failed, 2 on bad usage or input"
	echo "(malformed files are reported as \\fIfile:line:column: message\\fR)."
	echo ".SH FILES"
	echo "The library, its headers, \\fBp2mkit.pc\\fR and the CMake package"
	echo "\\fBp2mkit::core\\fR are described in \\fIdocs/embedding.md\\fR"
	echo "(installed under share/doc/p2mkit)."
} >"$out.tmp"
mv "$out.tmp" "$out"
