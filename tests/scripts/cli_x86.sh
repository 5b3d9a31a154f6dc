#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The x86 CLI forms: outputs, exit codes (0 ok / 1 failure / 2 bad input),
# --help on every subcommand and valid --json.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"

for cmd in combine mtrr msr explain host bench; do
	expect_out "$cmd --help" '^usage|[Uu]sage' 0 "$bin" "$cmd" --help
done
expect_out "top-level help" 'commands:' 0 "$bin" --help
expect_out "unknown command" 'unknown command' 2 "$bin" frobnicate

expect_out "intel table" '^WP ' 0 "$bin" combine intel --mtrr WT --pat WP
expect_out "intel numeric input" '^WC ' 0 "$bin" combine intel --mtrr 0 --pat 1
expect_out "intel snoop footnote" 'snooped' 0 "$bin" combine intel --mtrr WB --pat UC
expect_out "intel rejects UC- MTRR" 'mtrr wants an MTRR type' 2 "$bin" combine intel --mtrr UC- --pat WB
expect_out "intel bad token" 'mtrr wants an MTRR type.*XX' 2 "$bin" combine intel --mtrr XX --pat WB
expect_out "intel missing arg" 'needs --pat' 2 "$bin" combine intel --mtrr WB
expect_out "ept ipat" '^WB ' 0 "$bin" combine ept --emt WB --pat UC --ipat
expect_out "ept cd" '^UC ' 0 "$bin" combine ept --emt WB --pat WB --ipat --cd
expect_out "ept misconfig 2" '^EPT-misconfig' 1 "$bin" combine ept --emt 2 --pat WB
expect_out "ept misconfig UC-" '^EPT-misconfig' 1 "$bin" combine ept --emt UC- --pat WB
expect_out "ept emt too wide" 'emt wants .*encoding 0-7' 2 "$bin" combine ept --emt 9 --pat WB
expect_out "npt grant case" '^CD ' 0 "$bin" combine npt --gpat UC- --hpat WB --mtrr WB
expect_out "npt host UC forces" '^UC ' 0 "$bin" combine npt --gpat WB --hpat UC --mtrr WB
expect_out "npt WC+" '^WC\+ ' 0 "$bin" combine npt --gpat WC --hpat WB --mtrr WB
expect_out "amd unverified flagged" 'UNVERIFIED' 0 "$bin" combine amd --mtrr WB --pat UC-
expect_out "combine json" '"type": "WC"' 0 "$bin" combine intel --mtrr UC --pat WC --json
expect_out "unknown form" 'unknown form' 2 "$bin" combine sparc --mtrr WB --pat WB

M=(--maxphyaddr 36 --msr 0x200=0xf0000000 --msr 0x201=0xff0000800 --msr 0x2ff=0x806)
expect_out "lookup UC hole" '^UC ' 0 "$bin" mtrr lookup "${M[@]}" --addr 0xf8000000
expect_out "lookup default" '^WB ' 0 "$bin" mtrr lookup "${M[@]}" --addr 0x1000
expect_out "lookup 1G block mixed" '^mixed' 0 "$bin" mtrr lookup "${M[@]}" --addr 0xc0000000 --order 18
expect_out "lookup 256M block uniform" '^UC ' 0 "$bin" mtrr lookup "${M[@]}" --addr 0xf0000000 --order 16
O=(--msr 0x200=0x1 --msr 0x201=0xfc0000800 --msr 0x202=0x6 --msr 0x203=0xfc0000800 --msr 0x2ff=0x800 --addr 0x1000)
expect_out "overlap sdm" '^undefined' 0 "$bin" mtrr lookup "${O[@]}"
expect_out "overlap xen" '^WB ' 0 "$bin" mtrr lookup "${O[@]}" --overlap xen
expect_out "overlap kvm" '^WB ' 0 "$bin" mtrr lookup "${O[@]}" --overlap kvm
expect_out "overlap linux" '^UC ' 0 "$bin" mtrr lookup "${O[@]}" --overlap linux
expect_out "lookup invalid msr names it" '0x2ff=0x802: #GP' 2 "$bin" mtrr lookup --msr 0x2ff=0x802 --addr 0x0
expect_out "lookup bad msr syntax" '0xINDEX=0xVALUE' 2 "$bin" mtrr lookup --msr 0x2ff --addr 0x0
expect_out "lookup bad order" 'order' 2 "$bin" mtrr lookup --msr 0x2ff=0x806 --addr 0x0 --order 41
expect_out "lookup needs addr" 'needs --addr' 2 "$bin" mtrr lookup --msr 0x2ff=0x806
expect_out "lookup json" '"result": "UC"' 0 "$bin" mtrr lookup "${M[@]}" --addr 0xf8000000 --json
expect_out "lookup vcnt gates pairs" 'not implemented' 2 "$bin" mtrr lookup --vcnt 2 --msr 0x204=0x6 --addr 0x0

expect_out "msr ok" '^ok' 0 "$bin" msr check --msr 0x277=0x0007040600070406
expect_out "msr mask above M" '^gp: .*MAXPHYADDR' 0 "$bin" msr check --maxphyaddr 39 --msr 0x201=0x8000000800
expect_out "msr mask below M ok" '^ok' 0 "$bin" msr check --maxphyaddr 40 --msr 0x201=0x8000000800
expect_out "msr fixed byte" '^gp: fixed-range' 0 "$bin" msr check --msr 0x26f=0x0606060606060607
expect_out "msr sequence" 'ok .*\n?.*' 0 "$bin" msr check --msr 0x2ff=0xc06 --msr 0x2ff=0x1000
expect_out "msr json" '"ok": false' 0 "$bin" msr check --msr 0xfe=0x0 --json
expect_out "msr needs --msr" 'at least one' 2 "$bin" msr check

expect_out "explain example" 'Effective: CD' 0 "$bin" explain --example
expect_out "explain example json" '"effective": "CD"' 0 "$bin" explain --example --json
expect_out "explain ept ipat" 'Effective: WB' 0 "$bin" explain --gpa 0x1000 --emt WB --ipat --pte-bits pcd,pwt
expect_out "explain ept WC BAR" 'Effective: WC' 0 "$bin" explain --gpa 0xe0000000 --emt UC --pte-bits pwt --guest-pat 0x0407050600070106
expect_out "explain misconfig" 'misconfiguration exit' 1 "$bin" explain --gpa 0x0 --emt 7
expect_out "explain native" 'Effective: UC' 0 "$bin" explain "${M[@]}" --gpa 0xf8000000
expect_out "explain amd rejects emt" '--emt does not apply here' 2 "$bin" explain --cpu amd --gpa 0x0 --emt WB
expect_out "explain bad pte bits" 'pat, pcd, pwt' 2 "$bin" explain --gpa 0x0 --pte-bits foo
expect_out "explain guest pat gp" '#GP' 2 "$bin" explain --gpa 0x0 --guest-pat 0x2
expect_out "explain needs gpa" 'needs --gpa' 2 "$bin" explain --emt WB

# Every --json output must parse.
if command -v python3 >/dev/null; then
	for args in "combine ept --emt WB --pat WC --json" "mtrr lookup --msr 0x2ff=0x806 --addr 0x0 --json" \
		"msr check --msr 0x277=0x0 --json" "explain --example --json"; do
		# shellcheck disable=SC2086
		check "json parses: $args" bash -c "'$bin' $args | python3 -m json.tool >/dev/null"
	done
fi
finish
