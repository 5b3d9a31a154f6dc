#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds p2mkit and runs the main job: `p2mkit explain` on the built-in
# example (Xen's grant table in a UC MTRR hole on AMD).  Extra arguments are
# passed to `p2mkit explain` instead of the example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
if (($# == 0)); then
	exec build/tools/p2mkit/p2mkit explain --example
fi
exec build/tools/p2mkit/p2mkit explain "$@"
