#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Compile-fail test: passing one kind of frame or address where another is
# expected (a gfn as an mfn, a bare integer as a gfn, ...) must not build.
# tests/compile/typed_frames.c compiles as the control; each -DMISTAKE=N
# variant must be rejected by the compiler with a type error.
set -u
src=$1
source "$src/tests/scripts/lib.bash"
cc=${CC:-cc}
file=$src/tests/compile/typed_frames.c
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build() {
	"$cc" -std=c11 -Wall -Wextra -Werror -I"$src/include" -c "$file" \
		-o "$tmp/out.o" "$@" 2>"$tmp/err"
}

check "control: correctly typed calls compile" build
names=("" "gfn and mfn swapped" "gfn as mfn" "bare integer as gfn"
	"gpa as gfn" "gfn as mfn in the policy layer" "gfn as the first mfn of a range"
	"mfn as the first gfn of a pin" "hpa as the gpa of a guest MTRR lookup")
for n in 1 2 3 4 5 6 7 8; do
	if build -DMISTAKE="$n"; then
		check "${names[$n]} is rejected" false
	else
		# The failure must be the type mismatch, not a broken fixture.
		check "${names[$n]} is rejected as a type error" \
			grep -Eqi 'incompatible|invalid|conver' "$tmp/err"
	fi
done
finish
