#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The man page and the bash completion cover what `p2mkit --help` lists:
# every form has an entry and a DETAILS section in p2mkit.1 (which man
# renders without warnings), and completing word 1 offers exactly the
# commands, word 2 each command's options, and an option's listed values.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"
man_page=${P2MK_MANPAGE:-$(dirname "$bin")/../../p2mkit.1}
mapfile -t commands < <("$bin" --help | sed -n '/^commands:/,$ s/^  \([a-z][a-z0-9-]*\) .*/\1/p')
check "p2mkit --help lists commands (${#commands[@]})" test "${#commands[@]}" -gt 0
check "the man page was built ($man_page)" test -s "$man_page"

mapfile -t forms < <("$bin" help --markdown | sed -n 's/^| `p2mkit \(.*\)` |.*/\1/p')
check "p2mkit help --markdown lists forms (${#forms[@]})" test "${#forms[@]}" -ge "${#commands[@]}"
for form in "${forms[@]}"; do
	check "man page lists '$form'" grep -qxF ".B $form" "$man_page"
	check "man page details 'p2mkit $form'" grep -qxF ".SS p2mkit $form" "$man_page"
	read -ra words <<<"$form"
	check "the details of '$form' are its own help" \
		grep -qF -- "usage: p2mkit $form" <(sed -n "/^\.SS p2mkit $form\$/,/^\.fi/p" "$man_page")
done
if command -v man >/dev/null 2>&1; then
	warnings=$(MANWIDTH=80 man --warnings -l "$man_page" 2>&1 >/dev/null)
	check "man renders p2mkit.1 without warnings (${warnings:0:200})" test -z "$warnings"
fi

# complete WORD...: COMPREPLY for the last word of `p2mkit WORD...`.
source "$src/tools/completion/p2mkit"
complete_words() {
	COMP_WORDS=("$bin" "$@")
	COMP_CWORD=$#
	COMPREPLY=()
	_p2mkit
	printf '%s\n' "${COMPREPLY[@]}" | sort
}
want=$(printf '%s\n' "${commands[@]}" --help --version | sort)
check "completion offers exactly the commands" test "$(complete_words '')" == "$want"
check "completion narrows by prefix" test "$(complete_words "${commands[0]:0:3}")" == \
	"$(printf '%s\n' "${commands[@]}" | grep "^${commands[0]:0:3}" | sort)"
for cmd in "${commands[@]}"; do
	opts=$("$bin" "$cmd" --help 2>&1 | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
	got=$(complete_words "$cmd" --)
	missing=$(comm -23 <(printf '%s\n' $opts --help | sort -u) <(printf '%s\n' "$got"))
	check "completion offers every option of '$cmd' (missing: ${missing//$'\n'/ })" \
		test -z "$missing"
done
check "completion offers an option's listed values" \
	test "$(complete_words mtrr lookup --overlap '')" == "$(printf '%s\n' kvm linux sdm xen)"
finish
