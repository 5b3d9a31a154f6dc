#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every public header is usable from C++: it has extern "C" guards and
# compiles alone (self-contained) as C++11 and C++20 with -Wall -Wextra
# -pedantic -Werror, and as C11.  A C++ program calling the core links
# against the archive (no mangled references left undefined).
set -u
src=$1 core=$3
source "$src/tests/scripts/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cxx=${CXX:-c++}
if ! command -v "$cxx" >/dev/null 2>&1; then
	echo "cxx_headers: no C++ compiler ($cxx); skipped"
	exit 0
fi

for h in "$src"/include/p2mkit/*.h; do
	name=p2mkit/$(basename "$h")
	check "$name has extern \"C\" guards" grep -q 'extern "C" {' "$h"
	printf '#include <%s>\n' "$name" >"$tmp/one.cc"
	for std in c++11 c++20; do
		check "$name compiles alone as $std -pedantic" "$cxx" -std=$std -Wall -Wextra \
			-pedantic -Werror -fsyntax-only -I "$src/include" "$tmp/one.cc"
	done
	cp "$tmp/one.cc" "$tmp/one.c"
	check "$name compiles alone as C11 -pedantic" "${CC:-cc}" -std=c11 -Wall -Wextra \
		-pedantic -Werror -fsyntax-only -I "$src/include" "$tmp/one.c"
done

cat >"$tmp/link.cc" <<'CXX'
#include <p2mkit/pt.h>
int main()
{
	struct p2mk_pt_fmt f;
	/* A C function and a C data symbol, both by their unmangled names. */
	return p2mk_pt_fmt_derive(&f, &p2mk_pt_fmt_ept4, 0, 0, 0) == P2MK_OK &&
	               f.levels == 4
	           ? 0
	           : 1;
}
CXX
# A sanitizer build's archive calls the sanitizer runtimes: link them too.
san=()
if nm "$core" 2>/dev/null | grep -q ' U __asan_'; then
	san=(-fsanitize=address,undefined)
fi
check "a C++ caller links against the core archive" "$cxx" -std=c++11 -Wall -Wextra \
	-pedantic -Werror -I "$src/include" "$tmp/link.cc" "$core" "${san[@]}" -o "$tmp/link"
check "the C++ caller runs" "$tmp/link"
finish
