#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Makes sure the Debian packages p2mkit builds and tests with are installed.
# As root it runs `apt-get update` then `apt-get install -y` for what is missing;
# otherwise it names the missing packages and exits 1.
#
# Usage: scripts/ensure-deps.sh [--with-dev-tools]
#   --with-dev-tools  also require the test-time tools (clang for fuzzing,
#                     clang-format, clang-tidy, cppcheck).
set -euo pipefail

required=(build-essential cmake ninja-build pkg-config libcmocka-dev libyaml-dev libjansson-dev)
dev_tools=(clang libclang-rt-14-dev clang-format clang-tidy cppcheck)

packages=("${required[@]}")
if [[ ${1:-} == --with-dev-tools ]]; then
	packages+=("${dev_tools[@]}")
fi

is_installed() {
	local status
	status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) || return 1
	[[ $status == installed ]]
}

missing=()
for pkg in "${packages[@]}"; do
	is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

if [[ $(id -u) != 0 ]]; then
	echo "p2mkit: missing Debian packages: ${missing[*]}" >&2
	echo "p2mkit: run as root, or install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

echo "p2mkit: installing missing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${missing[@]}"
