#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds p2mkit and runs every test: the normal build (warnings are errors
# here: P2MK_DEVELOPER), the embedder's view (tests/consumer/run.sh: install,
# pkg-config, find_package, add_subdirectory, a core-only configure), the
# same tests under ASan+UBSan, short libFuzzer runs from fuzz/seeds (when
# clang is there) and the lint gates.
# Installs missing Debian packages first (see scripts/ensure-deps.sh).
#
# Usage: scripts/test.sh [--no-sanitize] [--no-fuzz] [--no-lint]
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=1 fuzz=1 lint=1
for arg in "$@"; do
	case $arg in
	--no-sanitize) sanitize=0 ;;
	--no-fuzz) fuzz=0 ;;
	--no-lint) lint=0 ;;
	*) echo "usage: scripts/test.sh [--no-sanitize] [--no-fuzz] [--no-lint]" >&2; exit 2 ;;
	esac
done

scripts/ensure-deps.sh --with-dev-tools
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n== %s\n' "$*"; }

step "build and test (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DP2MK_DEVELOPER=ON >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

step "embedding: install, pkg-config, find_package, add_subdirectory, core alone"
tests/consumer/run.sh . build

if ((sanitize)); then
	step "build and test under AddressSanitizer + UBSan"
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DP2MK_SANITIZE=ON \
		-DP2MK_DEVELOPER=ON >/dev/null
	cmake --build build-asan -j "$jobs"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi

if ((fuzz)); then
	step "libFuzzer targets, short runs"
	scripts/fuzz.sh --seconds "${P2MK_FUZZ_SECONDS:-10}"
fi

if ((lint)); then
	step "lint: clang-format, clang-tidy, cppcheck, SPDX"
	scripts/lint.sh
fi
