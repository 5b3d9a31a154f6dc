#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The kernel-style example of docs/embedding.md is real code: the C block
# after its "kernel-example" marker compiles freestanding (-Werror), linked
# with the core into one object it leaves undefined only the kernel hooks
# it declares, and run under tests/consumer/kernel_harness.c it does what
# the page says (mapping, split, INVEPT before freeing, every page back).
set -u
src=$1 core=$3
source "$src/tests/scripts/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}

awk '/^<!-- kernel-example/ {on = 1} on && /^```c$/ {code = 1; next} code && /^```$/ {exit} code' \
	"$src/docs/embedding.md" >"$tmp/kernel.c"
check "docs/embedding.md has the kernel example" test -s "$tmp/kernel.c"
# GCC would turn the example's byte loops back into memset/memcpy calls.
nodistribute=$("$cc" -fno-tree-loop-distribute-patterns -x c -c /dev/null -o /dev/null 2>/dev/null &&
	echo -fno-tree-loop-distribute-patterns)
check "the example compiles freestanding with -Werror" "$cc" -std=c11 -O2 -ffreestanding \
	$nodistribute -Wall -Wextra -Werror -I "$src/include" -c "$tmp/kernel.c" -o "$tmp/kernel.o"
ld -r "$tmp/kernel.o" --whole-archive "$core" -o "$tmp/all.o" 2>/dev/null
undefined=$(nm -u --format=posix "$tmp/all.o" | awk '{print $1}' | sort -u |
	grep -Ev '^(host_invept|host_spin_lock|host_spin_unlock|_GLOBAL_OFFSET_TABLE_|__(a|ub)san_.*|__sanitizer_.*|__sancov_.*|__llvm_.*|__(start|stop)___sancov.*)$')
check "example + core need only the kernel's hooks (also: ${undefined//$'\n'/ })" test -z "$undefined"
if nm "$core" 2>/dev/null | grep -q '__asan_\|__ubsan_'; then
	echo "embedding_example: instrumented core; not linking the hosted harness"
else
	check "the harness links" "$cc" -std=c11 -Wall -Wextra -Werror \
		"$src/tests/consumer/kernel_harness.c" "$tmp/kernel.o" "$core" -o "$tmp/run"
	expect_out "the example maps, splits, flushes and returns every page" \
		'2 INVEPTs, all 64 pool pages back' 0 "$tmp/run"
fi
finish
