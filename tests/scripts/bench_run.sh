#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# p2mkit bench run --quick: the scale-1tib run measured in a child process,
# its figures in the record (time, peak memory above the baseline, entries,
# table memory, the floor), in text and JSON.
set -u
src=$1 bin=$2
source "$src/tests/scripts/lib.bash"
cd "$src" || exit 1

json=$("$bin" bench run --quick --json)
check "bench run --quick --json exits 0" test $? = 0
check "one run, at 1 GiB, with its figures" python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert r["scenario"].endswith("examples/scale-1tib/scenario.yaml")
[one] = r["runs"]
assert one["mmio_max_order"] == "1GiB"
assert one["wall_s"] > 0 and one["cpu_s"] >= 0 and one["floor_s"] > 0
assert one["peak_kib"] > r["baseline_kib"] > 0
assert one["above_baseline_kib"] == one["peak_kib"] - r["baseline_kib"]
assert one["entries"] > 0 and one["table_kib"] == 4 * one["table_pages"] > 0
assert one["simulated_s"] > 0
' "$json"
expect_out "the text names the scenario and the columns" \
	"scale-1tib.*peak KiB|order +wall s" 0 "$bin" bench run --quick
expect_out "bench run takes no file" "unexpected argument" 2 \
	"$bin" bench run examples/scale-1tib/scenario.yaml
finish
