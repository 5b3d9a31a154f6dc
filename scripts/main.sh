#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Builds p2mkit and runs the main job: `p2mkit run`, which simulates case
# study 1 (examples/xenpci-grant-table: Xen's grant table in a UC MTRR hole,
# AMD vs Intel) and says how to run the others.  Extra arguments are passed
# to `p2mkit run` (e.g. a scenario file, --json, --compare).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
exec build/tools/p2mkit/p2mkit run "$@"
