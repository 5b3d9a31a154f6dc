#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# `explain --policy xen-ept` next to the per-page truth (docs/xen-findings.md
# §4): a block Xen types from a range covering part of it, a block Xen
# splits for nothing, a block where both agree; xen-ept-exact in the policy
# list; Xen's p2m type names.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"
x() { "$bin" explain --policy "$@"; }
# A 4 KiB UC range inside a 2 MiB block, default WB (defect 3).
d3=(--iommu --order 9 --gfn 0x10000 --mfn 0x10000 --msr 0x202=0x10000000
	--msr 0x203=0xffffff800 --msr 0x2ff=0x806)
# Two 1 MiB ranges, WT and WP, fill the block: Xen's lookup is mixed; with
# host MTRRs UC every page is UC all the same.
ns=(--iommu --order 9 --gfn 0x10000 --mfn 0x10000 --host-mtrr UC
	--msr 0x202=0x10000004 --msr 0x203=0xffff00800
	--msr 0x204=0x10100005 --msr 0x205=0xffff00800 --msr 0x2ff=0x806)

out=$(x xen-ept "${d3[@]}")
check "defect 3: Xen answers UC for the block" grep -q '^UC ' <<<"$out"
check "defect 3: the truth is split, 511 of 512 pages differ" \
	grep -q '^truth:    split per 4 KiB page (xen-ept-exact); 511 of 512 pages get another EMT at order 0, first gfn 0x10001$' <<<"$out"
check "defect 3: the finding names xen §16 defect 3" \
	grep -q '^finding:  mtrr_get_type(order > 0).*defect 3' <<<"$out"
json=$(x xen-ept "${d3[@]}" --json)
check "JSON: truth object with the same fields" python3 -c '
import json, sys
t = json.loads(sys.argv[1])["truth"]
assert t["answer"] == "split" and t["kind"] == "mixed", t
assert t["pages"] == 512 and t["pages_differ"] == 511, t
assert t["first_differ"] == "0x10001" and "defect 3" in t["finding"], t
' "$json"
check "xen-ept-exact splits that block" \
	grep -q '^split ' <(x xen-ept-exact "${d3[@]}")

out=$(x xen-ept "${ns[@]}")
check "needless split: Xen splits" grep -q '^split ' <<<"$out"
check "needless split: the truth is UC for every page" \
	grep -q '^truth:    UC per 4 KiB page (xen-ept-exact)$' <<<"$out"
check "needless split: named as such" grep -q '^finding:  needless split' <<<"$out"
check "xen-ept-exact gives the block UC" grep -q '^UC ' <(x xen-ept-exact "${ns[@]}")

out=$(x xen-ept --iommu --order 9 --gfn 0x10000 --mfn 0x10000)
check "no difference: no truth line" bash -c '! grep -q "^truth:" <<<"$1"' _ "$out"
check "no difference: no truth in JSON" bash -c \
	'! grep -q "\"truth\"" <<<"$1"' _ "$(x xen-ept --iommu --order 9 --json)"

check "xen-ept-exact is listed" grep -q '^xen-ept-exact ' <(x list)
ram=$(x xen-ept --iommu --type ram_rw | head -n 1)
for t in ram_shared ioreq_server; do
	check "$t is a type the CLI takes, answered as RAM" \
		test "$(x xen-ept --iommu --type $t | head -n 1)" = "$ram"
done
check "populate_on_demand is not present" \
	grep -q '^- ' <(x xen-ept --type populate_on_demand)
out=$("$bin" explain --policy xen-ept --type nonsense 2>&1)
check "a bad type lists every name, the last one too" \
	grep -q "ram_broken, invalid; got 'nonsense'" <<<"$out"
finish
