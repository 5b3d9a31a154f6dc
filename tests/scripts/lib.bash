# SPDX-License-Identifier: BSD-2-Clause
# Helpers for the shell tests: check/expect functions and the closing line.
# Each test script sources this, calls the checks, then `finish`.
pass=0
fail=0

# check NAME COMMAND...: passes when COMMAND exits 0.
check() {
	local name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name" >&2
	fi
}

# expect_out NAME WANT_REGEX EXPECTED_STATUS COMMAND...: stdout matches and
# the exit status is as expected.
expect_out() {
	local name=$1 want=$2 status=$3
	shift 3
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if [[ $rc == "$status" ]] && grep -Eq -- "$want" <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: status $rc (want $status), output:" >&2
		sed 's/^/    /' <<<"$out" | head -n 20 >&2
	fi
}

finish() {
	echo "$pass passed, $fail failed"
	((fail == 0))
}
