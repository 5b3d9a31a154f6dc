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
	sample["$inv $opt"]=$val
done < <("$bin" help --table)
check "the table lists forms" test "${#forms[@]}" -gt 4

# one_line_error NAME WANT_REGEX ARGS...: exit 2, stderr is one line that
# matches.  (One process per case: this runs about a thousand of them.)
one_line_error() {
	local name=$1 want=$2 err rc
	shift 2
	err=$("$bin" "$@" 2>&1 >/dev/null)
	rc=$?
	if [[ $rc == 2 && -n $err && $err != *$'\n'* && $err =~ $want ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: p2mkit $* -> status $rc, stderr: $err" >&2
	fi
}

# ov=(the option and its sample value in form $2, if given)
with_value() {
	local v=${sample["${2:-} $1"]:-${sample[$1]}}
	ov=("$1")
	[[ ${arity[$1]} == value ]] && ov+=("$v")
}

for inv in "${forms[@]}"; do
	read -ra words <<<"$inv"
	for opt in "${!arity[@]}"; do
		[[ ${takes[$inv]} == *" $opt:"* ]] && continue
		# In a command's default form, another form's selector (explain
		# --example) chooses that form instead.
		[[ $inv != *" "* && " ${forms[*]} " == *" $inv $opt"* ]] && continue
		with_value "$opt"
		one_line_error "$inv rejects $opt" "(^|[^-])$opt( |\\b|')" \
			"${words[@]}" "${ov[@]}"
	done
	for entry in ${takes[$inv]}; do
		opt=${entry%:*} rep=${entry##*:}
		with_value "$opt" "$inv"
		if [[ $rep == once ]]; then
			one_line_error "$inv rejects $opt twice" \
				"$opt given more than once" "${words[@]}" "${ov[@]}" "${ov[@]}"
		else
			out=$("$bin" "${words[@]}" "${ov[@]}" "${ov[@]}" 2>&1)
			check "$inv takes $opt twice" test "${out/more than once/}" = "$out"
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
		check "$inv --help lists $opt" test "${help/$'\n'  $opt /}" != "$help"
	done
done
finish
