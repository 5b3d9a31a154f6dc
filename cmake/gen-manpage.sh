#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Writes the p2mkit(1) man page from the binary's own help texts: the
# command list of `p2mkit --help`, then `p2mkit CMD --help` for every
# command and `p2mkit CMD SUB --help` for every subcommand its usage lines
# name.  The help texts are the one source; nothing here lists commands.
#
# Usage: gen-manpage.sh P2MKIT-BINARY OUTPUT
set -euo pipefail
bin=$1 out=$2

# roff-safe text: backslashes escaped, no line may start a request.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

version=$("$bin" --version)
mapfile -t commands < <("$bin" --help | sed -n '/^commands:/,$ s/^  \([a-z][a-z0-9-]*\) .*/\1/p')
((${#commands[@]})) || {
	echo "gen-manpage: no commands in '$bin --help'" >&2
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
	"$bin" --help | sed -n '/^commands:/,$ s/^  \([a-z][a-z0-9-]*\) *\(.*\)/\1 \2/p' |
		while read -r cmd summary; do
			printf '.TP\n.B %s\n' "$cmd"
			roff <<<"$summary"
		done
	echo ".SH DETAILS"
	for cmd in "${commands[@]}"; do
		help=$("$bin" "$cmd" --help 2>&1 || true)
		section "$cmd"
		mapfile -t subs < <(grep -oE "p2mkit $cmd [a-z][a-z0-9-]*" <<<"$help" |
			awk '{print $3}' | awk '!seen[$0]++')
		for sub in "${subs[@]}"; do
			subhelp=$("$bin" "$cmd" "$sub" --help 2>&1 || true)
			[[ $subhelp == "$help" ]] || section "$cmd" "$sub"
		done
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
