#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# `p2mkit mtrr plan`: the issue's acceptance layouts, text and JSON output,
# out of resources, --default auto, --check against a programming, and bad
# input (exit 2 with a message naming the option).
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"

# jqe FILTER: stdin's JSON satisfies FILTER.
jqe() { jq -e "$1" >/dev/null; }

P=("$bin" mtrr plan --maxphyaddr 36)
expect_out "help" '^usage: p2mkit mtrr plan' 0 "${P[@]}" --help
expect_out "hvmloader hole takes 3" '^count 3, minimum 3$' 0 \
	"${P[@]}" --default WB --range 0xf0000000-0xfb000000:UC
expect_out "msr values printed" '0xfa000000 +0xfff000800 +0xfa000000-0xfb000000 +UC' 0 \
	"${P[@]}" --default WB --range 0xf0000000-0xfb000000:UC
expect_out "unaligned hole to 4G takes 5" '^count 5, minimum 5$' 0 \
	"${P[@]}" --default WB --range 0xe1800000-0x100000000:UC
expect_out "out of resources" '^out of resources: minimum 5 variable MTRRs, VCNT is 4$' 1 \
	"${P[@]}" --vcnt 4 --default WB --range 0xe1800000-0x100000000:UC

json=$("${P[@]}" --default WB --range 0xe1800000-0x100000000:UC --json)
check "json status ok" jqe '.status == "ok" and .count == 5 and .minimum == 5 and .default == "WB"' <<<"$json"
check "json mtrrs" jqe '.mtrrs | length == 5 and .[0].base == "0xe1800000" and .[0].mask == "0xfff800000" and .[0].type == "UC"' <<<"$json"
json=$("${P[@]}" --vcnt 2 --default WB --range 0xe1800000-0x100000000:UC --json)
check "json out of resources" jqe '.status == "out_of_resources" and .count == null and .minimum == 5 and (.mtrrs | length) == 0 and (.minimal_plan | length) == 5' <<<"$json"

# auto: WB RAM around a UC hole wants default WB and one MTRR; with only
# the low RAM listed as WB, UC default and two.
expect_out "auto picks WB" '^default WB' 0 "${P[@]}" --default auto \
	--range 0x100000-0xc0000000:WB --range 0xc0000000-0x100000000:UC \
	--range 0x100000000-0x1000000000:WB
json=$("${P[@]}" --default auto --range 0x100000-0xc0000000:WB \
	--range 0xc0000000-0x1000000000:UC --json)
check "auto picks UC" jqe '.default == "UC" and .minimum == 2' <<<"$json"

# MAXPHYADDR 52, a dozen UC ranges starting at +0x123000: 16 blocks each.
R=()
for i in $(seq 0 11); do
	R+=(--range "$(printf '0x%x-0x%x:UC' $((0x10000000000 * (i + 1) + 0x123000)) $((0x10000000000 * (i + 1) + 0x80000000)))")
done
expect_out "dozen ranges at 52 bits" '^out of resources: minimum 192 variable MTRRs, VCNT is 40$' 1 \
	"$bin" mtrr plan --maxphyaddr 52 --vcnt 40 --default WB "${R[@]}"

# --check: hvmloader's 3-MTRR cover of 0xf0000000-0xfb000000 against the
# request 0xe1800000-4G: two runs differ; against its own request, none.
M=(--msr 0x200=0xf0000000 --msr 0x201=0xff8000800 --msr 0x202=0xf8000000
	--msr 0x203=0xffe000800 --msr 0x204=0xfa000000 --msr 0x205=0xfff000800
	--msr 0x2ff=0xc06)
expect_out "check finds the miss" '^differs 0xe1800000-0xf0000000: want UC, programmed WB$' 1 \
	"${P[@]}" --check "${M[@]}" --default WB --range 0xe1800000-0x100000000:UC
expect_out "check counts" 'uses 3 variable MTRRs; a minimal one uses 5' 1 \
	"${P[@]}" --check "${M[@]}" --default WB --range 0xe1800000-0x100000000:UC
json=$("${P[@]}" --check "${M[@]}" --default auto --range 0xf0000000-0xfb000000:UC --json)
check "check match json" jqe '.status == "match" and .used == 3 and .minimum == 3 and (.differences | length) == 0' <<<"$json"
expect_out "check undefined overlap" 'want WB, programmed undefined' 1 \
	"${P[@]}" --check --msr 0x200=0x100000001 --msr 0x201=0xffff00800 \
	--msr 0x202=0x100000006 --msr 0x203=0xffff00800 --msr 0x2ff=0xc06 --default WB

# Bad input: exit 2 and a message naming what is wrong.
expect_out "bad type" "--range TYPE wants an MTRR type" 2 \
	"${P[@]}" --default WB --range 0xf0000000-0xfb000000:UC-
expect_out "unaligned" 'wants 4 KiB-aligned' 2 \
	"${P[@]}" --default WB --range 0xf0000800-0xfb000000:UC
expect_out "end beyond maxphyaddr" 'END <= 2\^36' 2 \
	"${P[@]}" --default WB --range 0xf0000000-0x2000000000:UC
expect_out "empty range" 'START < END' 2 \
	"${P[@]}" --default WB --range 0xf0000000-0xf0000000:UC
expect_out "needs 0x" 'needs 0x' 2 "${P[@]}" --default WB --range f0000000-0xfb000000:UC
expect_out "malformed" 'wants 0xSTART-0xEND:TYPE' 2 "${P[@]}" --default WB --range 0xf0000000
expect_out "overlap" '--range 2 overlaps --range 1' 2 "${P[@]}" --default WB \
	--range 0xf0000000-0xfb000000:UC --range 0xf1000000-0xf2000000:WC
expect_out "no wc" 'is WC but --no-wc' 2 "${P[@]}" --no-wc --default UC \
	--range 0xf0000000-0xfb000000:WC
expect_out "default required" 'needs --default' 2 "${P[@]}" --range 0xf0000000-0xfb000000:UC
expect_out "bad default" '--default wants one of' 2 "${P[@]}" --default UC- 
expect_out "msr without check" 'programming to --check' 2 "${P[@]}" --default WB --msr 0x2ff=0xc06
expect_out "check without msr" 'needs the programming' 2 "${P[@]}" --check --default WB
expect_out "gp msr" '#GP' 2 "${P[@]}" --check --msr 0x201=0x7ff --default WB
expect_out "json error" '"status": 2' 2 "${P[@]}" --default WB --range 0x1-0x2:UC --json

finish
