#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The core library is freestanding: linked into one object it may need no
# libc function other than those a compiler itself emits (memset, memcpy,
# memmove, memcmp), and it has no writable global or static data (.data,
# .bss; read-only tables may live in .rodata or, under PIE, .data.rel.ro).
# Sanitizer and coverage runtime symbols are allowed in instrumented builds.
set -u
src=$1 core=$3
source "$src/tests/scripts/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ld -r --whole-archive "$core" -o "$tmp/core.o"
check "core links into one relocatable object" test -s "$tmp/core.o"

# The host symbols are the table of docs/embedding.md ("What the core needs
# from its host"), so the documented list and the archive cannot disagree.
host=$(awk '/^<!-- host-symbols/ {on = 1} on && /^\| `/ {rows = 1; print} rows && /^$/ {exit}' \
	"$src/docs/embedding.md" | sed 's/^| `\([A-Za-z0-9_]*\)`.*/\1/' | sort -u)
check "docs/embedding.md lists the host symbols (${host//$'\n'/ })" test -n "$host"
instrumentation='^(__(a|ub)san_.*|__sanitizer_.*|__sancov_.*|__llvm_.*|__(start|stop)___sancov.*|_GLOBAL_OFFSET_TABLE_)$'
undefined=$(nm -u --format=posix "$tmp/core.o" | awk '{print $1}' | sort -u | grep -Ev "$instrumentation")
extra=$(comm -23 <(printf '%s\n' "$undefined") <(printf '%s\n' "$host") | sed '/^$/d')
check "core needs only the host symbols docs/embedding.md lists (also needs: ${extra//$'\n'/ })" test -z "$extra"

# objdump -t: "ADDR FLAGS SECTION SIZE NAME"; writable data is .data/.bss.
mutable=$(objdump -t "$tmp/core.o" | awk 'NF >= 4 && $(NF-2) ~ /^\.(data|bss)(\..*)?$/ && $(NF-2) !~ /^\.data\.rel\.ro/ && $NF !~ /^(__(a|ub)san|__sancov|\.L|__odr_asan|\.data|\.bss)/ {print $NF"("$(NF-2)")"}' | sort -u)
check "core has no writable globals (found: ${mutable//$'\n'/ })" test -z "$mutable"

bad_includes=$(cd "$src" && grep -rlE '#include <(stdio|stdlib|string|malloc|unistd|pthread|errno|assert|math)\.h>' \
	src/memtype src/mtrr src/pt src/p2m src/policy src/iommu src/physmap src/layout 2>/dev/null)
check "core includes only freestanding headers (found: $bad_includes)" test -z "$bad_includes"
finish
