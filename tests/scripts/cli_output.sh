#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The output layer: write errors are exit 1, --json errors are JSON on
# stdout, messages are one line and name the option, bare numbers where
# hex is required show the 0x form, long arguments are cut in echoes.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"

# to_full NAME ARGS...: stdout on a full disk: exit 1 and one message.
to_full() {
	local name=$1 err rc
	shift
	err=$("$bin" "$@" 2>&1 >/dev/full)
	rc=$?
	if [[ $rc == 1 && $err == "p2mkit: cannot write standard output: "* ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name: status $rc, stderr: $err" >&2
	fi
}
if [[ -w /dev/full ]]; then
	to_full "write error is exit 1" combine intel --mtrr WB --pat UC
	to_full "json write error is exit 1" combine intel --mtrr WB --pat UC --json
	to_full "help write error is exit 1" combine ept --help
	to_full "json error write error is exit 1" combine ept --json
fi

out=$("$bin" combine ept --emt WB --json 2>/dev/null)
check "json error on stdout" grep -q '"message": "needs --pat T"' <<<"$out"
check "json error has the status" grep -q '"status": 2' <<<"$out"
check "json error parses" bash -c "'$bin' combine ept --emt WB --json | python3 -m json.tool >/dev/null || ! command -v python3 >/dev/null"

expect_out "bare hex shows the 0x form" 'needs 0x: write 0x1$' 2 \
	"$bin" combine arm64 --s1 0xff --s2 1
expect_out "iomem-style value shows the 0x form" 'write 0xff' 2 \
	"$bin" combine arm64 --s1 ff --s2 0x1
expect_out "value above its field" "--s1 wants 0x0 to 0xff, got '0x100'" 2 \
	"$bin" combine arm64 --s1 0x100 --s2 0x1
long=$(printf 'A%.0s' {1..5000})
out=$("$bin" combine intel --mtrr "$long" --pat WB 2>&1)
check "long argument cut in the echo" test "${#out}" -lt 200
out=$("$bin" combine intel --mtrr $'\e[31mWB' --pat WB 2>&1)
check "control bytes not echoed" test "$out" = "${out//$'\e'/}"
expect_out "missing value named" '^p2mkit combine intel: --pat needs a value \(T\)$' 2 \
	"$bin" combine intel --mtrr WB --pat
expect_out "option of another form" '--ipat does not apply here' 2 \
	"$bin" combine intel --mtrr WB --pat WB --ipat
expect_out "unknown option" "unknown option '--bogus'" 2 \
	"$bin" combine intel --bogus
expect_out "--opt=value form" '^WC ' 0 "$bin" combine intel --mtrr=UC --pat=WC
expect_out "no usage dump on error" '^p2mkit combine: which form' 2 "$bin" combine
finish
