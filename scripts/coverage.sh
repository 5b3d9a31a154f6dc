#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Line and branch coverage of the core library (src/memtype, mtrr, pt, p2m,
# policy, iommu, physmap, layout) reached by the whole test suite: a
# separate --coverage build in build-cov/, every CTest test, then gcovr's
# summary for the core as a whole and for each layer.  Installs gcovr
# through scripts/ensure-deps.sh when it is missing.
#
# The long randomized tests honour P2MK_TEST_SCALE (percent of their
# operation counts); this script uses 10 unless it is set, which reaches
# the same code in a tenth of the time.  core_freestanding is skipped: the
# instrumentation adds exactly the runtime calls and counters it forbids.
#
# Usage: scripts/coverage.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh --with-coverage
build=${1:-build-cov}
jobs=$(nproc 2>/dev/null || echo 2)
layers=(memtype mtrr pt p2m policy iommu physmap layout)

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	-DCMAKE_C_FLAGS=--coverage -DCMAKE_EXE_LINKER_FLAGS=--coverage >/dev/null
cmake --build "$build" -j "$jobs" >/dev/null
find "$build" -name '*.gcda' -delete
P2MK_TEST_SCALE=${P2MK_TEST_SCALE:-10} \
	ctest --test-dir "$build" -j "$jobs" -E '^core_freestanding$' \
	--output-on-failure >"$build/coverage-ctest.log" ||
	{ tail -n 30 "$build/coverage-ctest.log" >&2; exit 1; }

# summary LABEL REGEX: gcovr's line and branch totals for the files REGEX
# matches, on one line.
summary() {
	local out
	out=$(gcovr --root . --object-directory "$build" --filter "$2" \
		--print-summary --output /dev/null 2>/dev/null)
	printf '%-8s %s\n' "$1" "$(grep -E '^(lines|branches):' <<<"$out" | tr '\n' ' ')"
}

echo "core line and branch coverage (${P2MK_TEST_SCALE:-10}% random-test scale):"
summary core "src/($(
	IFS='|'
	echo "${layers[*]}"
))/"
for l in "${layers[@]}"; do
	[[ -d src/$l ]] && summary "$l" "src/$l/"
done
