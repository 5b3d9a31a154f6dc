#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The embedder's view, run by scripts/test.sh after the normal build:
#   1. `cmake --install BUILD --prefix TMP` installs headers, archive, CLI,
#      man page, completion, p2mkit.pc and the CMake package;
#   2. consumer.c and consumer.cc build and run through pkg-config;
#   3. the prefix is moved elsewhere (relocatable) and both build and run
#      through find_package(p2mkit);
#   4. both build and run with p2mkit added by add_subdirectory and by
#      FetchContent (its tools and tests must stay out);
#   5. the core configures, builds and installs alone with pkg-config
#      disabled, so cmocka, libyaml and jansson are invisible to CMake, and
#      the consumers build against that core-only install.
# Usage: tests/consumer/run.sh SOURCE-DIR BUILD-DIR
set -euo pipefail
src=$(cd "$1" && pwd) build=$(cd "$2" && pwd)
here=$src/tests/consumer
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc} cxx=${CXX:-c++}
flags=(-Wall -Wextra -pedantic -Werror)
step() { printf 'consumer: %s\n' "$*"; }
quiet() { "$@" >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; return 1; }; }

step "install into a temporary prefix"
quiet cmake --install "$build" --prefix "$tmp/prefix"
libdir=$(cd "$tmp/prefix" && dirname "$(find . -name p2mkit.pc)")
libdir=${libdir#./}
for f in bin/p2mkit include/p2mkit/pt.h "$libdir/../libp2mkit.a" \
	"$libdir/../cmake/p2mkit/p2mkitConfig.cmake" \
	"$libdir/../cmake/p2mkit/p2mkitConfigVersion.cmake" share/man/man1/p2mkit.1 \
	share/bash-completion/completions/p2mkit share/doc/p2mkit/embedding.md; do
	[[ -e $tmp/prefix/$f ]] || { echo "consumer: not installed: $f" >&2; exit 1; }
done
"$tmp/prefix/bin/p2mkit" --version >/dev/null

# build_pc DIR: both consumers through pkg-config against the prefix DIR.
build_pc() {
	export PKG_CONFIG_PATH=$1/$libdir
	# shellcheck disable=SC2046 # word splitting of the flags is intended
	quiet "$cc" -std=c11 "${flags[@]}" "$here/consumer.c" $(pkg-config --cflags --libs p2mkit) \
		-o "$tmp/c"
	# shellcheck disable=SC2046
	quiet "$cxx" -std=c++11 "${flags[@]}" "$here/consumer.cc" \
		$(pkg-config --cflags --libs p2mkit) -o "$tmp/cxx"
	"$tmp/c" && "$tmp/cxx"
	unset PKG_CONFIG_PATH
}
# build_cmake NAME ARGS...: both consumers as a CMake project.
build_cmake() {
	local dir=$tmp/$1
	shift
	quiet cmake -S "$here" -B "$dir" -G Ninja "$@"
	quiet cmake --build "$dir"
	"$dir/consumer" && "$dir/consumer_cxx"
}

step "pkg-config ($(PKG_CONFIG_PATH=$tmp/prefix/$libdir pkg-config --cflags --libs p2mkit | sed "s|$tmp|TMP|g"))"
build_pc "$tmp/prefix"
step "find_package(p2mkit) from the prefix moved to another directory"
mv "$tmp/prefix" "$tmp/moved"
build_cmake package -DP2MKIT_MODE=package -DCMAKE_PREFIX_PATH="$tmp/moved"
step "pkg-config from the moved prefix"
build_pc "$tmp/moved"
step "add_subdirectory"
build_cmake subdir -DP2MKIT_MODE=subdir -DP2MKIT_SOURCE_DIR="$src"
step "FetchContent"
build_cmake fetch -DP2MKIT_MODE=fetch -DFETCHCONTENT_SOURCE_DIR_P2MKIT="$src"

step "core-only configure with cmocka, libyaml and jansson hidden"
mkdir -p "$tmp/no-pc"
PKG_CONFIG_LIBDIR=$tmp/no-pc PKG_CONFIG_PATH= quiet cmake -S "$src" -B "$tmp/core" -G Ninja \
	-DP2MK_BUILD_TOOLS=OFF -DP2MK_BUILD_TESTS=OFF -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON
if grep -Eq '^(CMOCKA|YAML|JANSSON|PKG_CONFIG)[A-Z_]*[:=]' "$tmp/core/CMakeCache.txt"; then
	echo "consumer: the core-only configure looked for a tool dependency" >&2
	exit 1
fi
quiet cmake --build "$tmp/core"
quiet cmake --install "$tmp/core" --prefix "$tmp/core-prefix"
[[ ! -e $tmp/core-prefix/bin/p2mkit ]] || { echo "consumer: core-only installed the CLI" >&2; exit 1; }
build_cmake core-package -DP2MKIT_MODE=package -DCMAKE_PREFIX_PATH="$tmp/core-prefix"
step "all ways built and ran"
