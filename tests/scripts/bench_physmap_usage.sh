#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# `p2mkit bench physmap`: documented in --help, bad options are usage
# errors (exit 2).  The benchmark itself is not run here: benchmarks print
# figures, they are not timed tests.
# Usage: bash bench_physmap_usage.sh SRC_DIR P2MKIT_BINARY CORE_LIB
set -u
src=$1
bin=${2:?usage: bench_physmap_usage.sh SRC_DIR P2MKIT_BINARY CORE_LIB}
source "$src/tests/scripts/lib.bash"

expect_out "help names the physmap benchmark" 'bench physmap' 0 \
	"$bin" bench --help
expect_out "unknown option is a usage error" "unknown option '--bogus'" 2 \
	"$bin" bench physmap --bogus
expect_out "unknown benchmark lists physmap" 'physmap' 2 "$bin" bench
finish
