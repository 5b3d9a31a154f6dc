#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# p2mkit run --svg: well-formed SVG with one panel per policy, each range
# coloured as the legend colours its effective type, and the same types per
# policy as the JSON record of the same run.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$src" || exit 1

# svg_check SVG JSON POLICY...: the picture against the record.
svg_check() {
	python3 - "$@" <<'PY'
import json, sys
import xml.etree.ElementTree as ET
svg, rec, want = sys.argv[1], sys.argv[2], sys.argv[3:]
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(svg).getroot()          # raises if not well-formed
panels = root.findall("s:g[@class='panel']", ns)
got = [p.get("data-policy") for p in panels]
assert got == want, f"panels {got}, want {want}"
legend = {r.get("data-effective"): r.get("fill")
          for r in root.findall("s:rect[@class='legend']", ns)}
assert len(set(legend.values())) == len(legend), f"legend colours repeat: {legend}"
results = json.load(open(rec))["results"]
for p, res in zip(panels, results):
    types = set()
    for r in p.findall("s:rect[@data-effective]", ns):
        t = r.get("data-effective")
        assert t in legend, f"{t} not in the legend"
        assert r.get("fill") == legend[t], f"{t}: {r.get('fill')} vs {legend[t]}"
        types.add(t)
    want_types = {g["effective"] for g in res["ranges"]}
    assert types == want_types, f"{res['policy']}: {types} vs {want_types}"
print("ok")
PY
}

case1=examples/xenpci-grant-table/scenario.yaml
"$bin" run "$case1" --svg "$tmp/one.svg" >/dev/null
check "--svg with the scenario's policies exits 0" test $? = 0
"$bin" run "$case1" --json >"$tmp/one.json"
check "case 1: a panel per policy, colours from the legend" \
	svg_check "$tmp/one.svg" "$tmp/one.json" xen-npt xen-ept
check "case 1: the grant table is CD under xen-npt" \
	grep -q 'data-effective="CD"' "$tmp/one.svg"

three=xen-ept,xen-npt,kvm-x86-6.11
"$bin" run "$case1" --compare "$three" --svg "$tmp/three.svg" --json >"$tmp/three.json"
check "--compare with three policies: three panels" \
	svg_check "$tmp/three.svg" "$tmp/three.json" xen-ept xen-npt kvm-x86-6.11

a64=examples/arm64-vfio-prefetchable/scenario.yaml
"$bin" run "$a64" --svg "$tmp/a64.svg" --json >"$tmp/a64.json"
check "arm64: Device and Normal types coloured from the legend" \
	svg_check "$tmp/a64.svg" "$tmp/a64.json" kvm-arm64-6.8 kvm-arm64-6.9

expect_out "an unwritable --svg is exit 1 naming the file" \
	"cannot write $tmp/no/such/dir/x.svg" 1 \
	"$bin" run "$case1" --svg "$tmp/no/such/dir/x.svg"
expect_out "--svg does not apply to a sweep" "--svg does not apply here" 2 \
	"$bin" run "$case1" --set hypervisor.recalc=xen,exact --svg "$tmp/x.svg"
finish
