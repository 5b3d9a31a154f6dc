#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Style and static-analysis gates: SPDX lines, clang-format, cppcheck and
# clang-tidy over every C source.  Needs a configured build/ (for
# compile_commands.json); scripts/test.sh makes one first.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t sources < <(git ls-files -co --exclude-standard -- '*.c' '*.h')
status=0

missing_spdx=()
for f in "${sources[@]}" $(git ls-files -co --exclude-standard -- '*.sh' '*.bash' '*.py' 'CMakeLists.txt' '*/CMakeLists.txt' .ci/run); do
	head -n 3 "$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause' || missing_spdx+=("$f")
done
if ((${#missing_spdx[@]})); then
	echo "lint: no SPDX line in: ${missing_spdx[*]}" >&2
	status=1
fi

if ! clang-format --dry-run --Werror "${sources[@]}" 2>build/clang-format.log; then
	head -n 40 build/clang-format.log >&2
	echo "lint: clang-format differences (run: clang-format -i FILES)" >&2
	status=1
fi

if ! cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
	--enable=warning,performance,portability \
	-I include -I tools/p2mkit -I src -I tests/support \
	--suppress=missingIncludeSystem "${sources[@]}" 2>build/cppcheck.log; then
	cat build/cppcheck.log >&2
	echo "lint: cppcheck findings" >&2
	status=1
fi

mapfile -t c_sources < <(git ls-files -co --exclude-standard -- '*.c' | grep -v '^fuzz/')
if ! clang-tidy --quiet -p build "${c_sources[@]}" >build/clang-tidy.log 2>&1; then
	grep -E 'warning:|error:' build/clang-tidy.log | head -n 60 >&2
	echo "lint: clang-tidy findings" >&2
	status=1
fi
((status == 0)) && echo "lint: clean"
exit $status
