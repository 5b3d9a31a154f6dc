#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# p2mkit layout: the xen §13.3 worked example, the three modes, the
# assertion case (exit 1), malformed files (file:line:column, exit 2) and
# the SVG writer.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"
d=$src/tests/data/layout
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

expect_out "layout --help" '^usage: p2mkit layout FILE' 0 "$bin" layout --help
expect_out "worked example: BAR at 0xfb000000" \
	'BAR1 +mem32 0x1000000 +0xfb000000 +WB' 0 "$bin" layout "$d/xenpci-wb.yaml"
expect_out "worked example: three variable pairs" '\(3 variable pairs\)' 0 \
	"$bin" layout "$d/xenpci-wb.yaml"
json=$("$bin" layout "$d/xenpci-wb.yaml" --json)
check "json: BAR address as lower-case hex" grep -q '"addr": "0xfb000000"' <<<"$json"
check "json: UC pairs in write order" grep -q '"value": "0xfa000000"' <<<"$json"
check "json: defType written last" \
	test "$(grep -o '"msr": "0x[0-9a-f]*"' <<<"$json" | tail -n 1)" = '"msr": "0x2ff"'
check "json: no error" grep -q '"error": null' <<<"$json"
for key in mode bars low_mmio high_mmio relocations mtrr_writes e820 findings error; do
	check "json has $key" grep -q "\"$key\":" <<<"$json"
done
expect_out "improved: differences from hvmloader" '"differences"' 0 \
	"$bin" layout "$d/xenpci-wb.yaml" --mode improved --json
expect_out "improved text: versus hvmloader" 'versus hvmloader: 3 -> 0 variable MTRRs' 0 \
	"$bin" layout "$d/xenpci-wb.yaml" --mode improved
expect_out "ovmf 1/8: aperture full" 'mmio64-aperture-full' 0 \
	"$bin" layout "$d/eight-gpus.yaml"
expect_out "ovmf 8 TiB window" '64-bit MMIO: \[0x380000000000, 0x400000000000\)' 0 \
	"$bin" layout "$d/eight-gpus.yaml"
expect_out "hvmloader pitfalls" 'variable-mtrrs-exhausted' 0 \
	"$bin" layout "$d/pitfalls.yaml" --mode hvmloader
expect_out "improved names what does not fit" 'error: a BAR does not fit' 1 \
	"$bin" layout "$d/pitfalls.yaml" --mode improved
expect_out "assertion is hvmloader's error, exit 1" 'HVMLoader assertion' 1 \
	"$bin" layout "$d/piix4-assert.yaml"
expect_out "malformed: file:line:column" 'malformed.yaml:4:[0-9]+: expected one of io, mem32' 2 \
	"$bin" layout "$d/malformed.yaml"
expect_out "missing file" 'cannot open' 2 "$bin" layout "$tmp/none.yaml"
expect_out "bad mode" 'mode' 2 "$bin" layout "$d/xenpci-wb.yaml" --mode seabios
expect_out "svg written" 'mode hvmloader' 0 "$bin" layout "$d/pitfalls.yaml" \
	--mode hvmloader --svg "$tmp/map.svg"
check "svg is an svg" grep -q '^<svg xmlns' "$tmp/map.svg"
check "svg has the legend" grep -q 'MTRR UC' "$tmp/map.svg"
check "svg labels BARs by device" grep -q '00:04.0 BAR0 256 MiB' "$tmp/map.svg"
expect_out "svg to an unwritable path" 'cannot write' 1 "$bin" layout \
	"$d/xenpci-wb.yaml" --svg "$tmp/no/such/dir/x.svg"
finish
