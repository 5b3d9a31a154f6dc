#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Table-driven option rejection, from the option tables themselves
# (`p2mkit help --table`): every form, fed each option it does not accept
# and each of its options twice, exits 2 with a one-line message naming the
# option; options documented as repeatable are accepted twice.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"

declare -A takes=() arity=() sample=()
forms=()
while IFS=$'\t' read -r inv opt ar rep val; do
	[[ -v "takes[$inv]" ]] || forms+=("$inv")
	takes[$inv]+=" $opt:$rep"
	arity[$opt]=$ar
	sample[$opt]=$val
done < <("$bin" help --table)
check "the table lists forms" test "${#forms[@]}" -gt 4

# one_line_error NAME WANT_REGEX ARGS...: exit 2, stderr is one line that
# matches, stdout empty.
one_line_error() {
	local name=$1 want=$2
	shift 2
	local err out rc
	out=$("$bin" "$@" 2>/tmp/cli_options.$$)
	rc=$?
	err=$(cat /tmp/cli_options.$$)
	rm -f /tmp/cli_options.$$
	if [[ $rc == 2 && -z $out && $(wc -l <<<"$err") == 1 ]] &&
		grep -Eq -- "$want" <<<"$err"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: p2mkit $* -> status $rc, stderr: $err" >&2
	fi
}

# The option with its sample value, as words.
with_value() {
	if [[ ${arity[$1]} == value ]]; then
		printf '%s\n%s\n' "$1" "${sample[$1]}"
	else
		printf '%s\n' "$1"
	fi
}

for inv in "${forms[@]}"; do
	read -ra words <<<"$inv"
	for opt in "${!arity[@]}"; do
		[[ ${takes[$inv]} == *" $opt:"* ]] && continue
		mapfile -t ov < <(with_value "$opt")
		one_line_error "$inv rejects $opt" "(^|[^-])$opt( |\\b|')" \
			"${words[@]}" "${ov[@]}"
	done
	for entry in ${takes[$inv]}; do
		opt=${entry%:*} rep=${entry##*:}
		mapfile -t ov < <(with_value "$opt")
		if [[ $rep == once ]]; then
			one_line_error "$inv rejects $opt twice" \
				"$opt given more than once" "${words[@]}" "${ov[@]}" "${ov[@]}"
		else
			out=$("$bin" "${words[@]}" "${ov[@]}" "${ov[@]}" 2>&1)
			check "$inv takes $opt twice" \
				test "$(grep -c 'more than once' <<<"$out")" = 0
		fi
	done
	# With --json, the error is a JSON record on stdout.
	out=$("$bin" "${words[@]}" --json --json 2>/dev/null)
	check "$inv rejects --json twice, as JSON" grep -Pzq \
		'"message": "--json given more than once",\n *"status": 2' <<<"$out"
done

# Every --help is generated from the same tables: it lists every option.
for inv in "${forms[@]}"; do
	read -ra words <<<"$inv"
	help=$("$bin" "${words[@]}" --help)
	check "$inv --help exits 0" test $? = 0
	for entry in ${takes[$inv]}; do
		opt=${entry%:*}
		check "$inv --help lists $opt" grep -q -- "  $opt\\b" <<<"$help"
	done
done
finish
