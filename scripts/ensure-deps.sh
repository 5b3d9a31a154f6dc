#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Makes sure the Debian packages p2mkit builds and tests with are installed.
# As root it runs `apt-get update` then `apt-get install -y` for what is missing;
# otherwise it names the missing packages and exits 1.
#
# Usage: scripts/ensure-deps.sh [--with-dev-tools] [--with-coverage]
#   --with-dev-tools  also require the test-time tools (clang for fuzzing,
#                     clang-format, clang-tidy, cppcheck).
#   --with-coverage   also require gcovr (scripts/coverage.sh).
set -euo pipefail

required=(build-essential cmake ninja-build pkg-config libcmocka-dev libyaml-dev libjansson-dev)
dev_tools=(clang libclang-rt-14-dev clang-format clang-tidy cppcheck)
coverage_tools=(gcovr)

packages=("${required[@]}")
for arg in "$@"; do
	case $arg in
	--with-dev-tools) packages+=("${dev_tools[@]}") ;;
	--with-coverage) packages+=("${coverage_tools[@]}") ;;
	*) echo "usage: scripts/ensure-deps.sh [--with-dev-tools] [--with-coverage]" >&2; exit 2 ;;
	esac
done

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
