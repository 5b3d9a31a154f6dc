#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The shared CLI contract checker, run against the built binary.
set -u
src=$1 bin=$2
checker=$src/../shared/tools/cli-contract-check
if [[ ! -x $checker && ! -f $checker ]]; then
	if [[ ${CI:-} == true ]]; then
		echo "cli-contract-check not found at $checker" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "cli-contract-check not found beside the repository; skipped" >&2
	exit 0
fi
bash "$checker" "$bin"
