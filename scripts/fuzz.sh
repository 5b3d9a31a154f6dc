#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds the libFuzzer targets with clang and runs each for a short time,
# starting from its checked-in corpus fuzz/seeds/NAME (scripts/soak.sh runs
# them for long; docs/CONTRIBUTING.md).  Optimised (-O2) with ASan+UBSan:
# several times the executions per second of -O0.
# Usage: scripts/fuzz.sh [--seconds N]   (default 10 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=10
if [[ ${1:-} == --seconds ]]; then seconds=${2:?}; fi
if ! command -v clang >/dev/null 2>&1; then
	echo "fuzz: clang not found; skipping the libFuzzer targets" >&2
	exit 0
fi
cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DP2MK_FUZZ=ON -DP2MK_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)"
mkdir -p build-fuzz/corpus
shopt -s nullglob
ran=0
for target in build-fuzz/fuzz/fuzz_*; do
	[[ -x $target && ! -d $target ]] || continue
	name=$(basename "$target")
	corpus=build-fuzz/corpus/$name
	mkdir -p "$corpus"
	seeds=()
	[[ -d fuzz/seeds/$name ]] && seeds=("fuzz/seeds/$name")
	echo "fuzz: $name for ${seconds}s"
	"$target" -max_total_time="$seconds" -print_final_stats=0 "$corpus" "${seeds[@]}" \
		>"build-fuzz/$name.log" 2>&1 || {
		tail -n 40 "build-fuzz/$name.log" >&2
		echo "fuzz: $name FAILED" >&2
		exit 1
	}
	ran=$((ran + 1))
done
echo "fuzz: $ran targets ran clean"
