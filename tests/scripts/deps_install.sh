#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Exercises scripts/ensure-deps.sh's "package missing" paths with stand-ins
# for dpkg-query, apt-get and id on PATH: as root it must run
# `apt-get update` then `apt-get install -y` with exactly the missing
# packages; otherwise it must name them and fail without calling apt-get.
set -u
src=$1
source "$src/tests/scripts/lib.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
cat >"$tmp/bin/dpkg-query" <<'SH'
#!/bin/sh
# Everything is installed except the packages named in $MISSING.
for pkg; do :; done
case " $MISSING " in *" $pkg "*) exit 1 ;; esac
printf installed
SH
cat >"$tmp/bin/apt-get" <<'SH'
#!/bin/sh
echo "apt-get $*" >>"$LOG"
SH
cat >"$tmp/bin/id" <<'SH'
#!/bin/sh
echo "$FAKE_UID"
SH
chmod +x "$tmp/bin/"*
run() { PATH="$tmp/bin:$PATH" LOG=$tmp/log "$@"; }

: >"$tmp/log"
run env MISSING="libcmocka-dev libjansson-dev" FAKE_UID=0 bash "$src/scripts/ensure-deps.sh" >/dev/null 2>&1
check "root: exits 0" test $? -eq 0
check "root: apt-get update first" test "$(sed -n 1p "$tmp/log")" = "apt-get update"
check "root: installs exactly the missing packages" \
	test "$(sed -n 2p "$tmp/log")" = "apt-get install -y libcmocka-dev libjansson-dev"

: >"$tmp/log"
out=$(run env MISSING="libyaml-dev" FAKE_UID=1000 bash "$src/scripts/ensure-deps.sh" 2>&1)
check "non-root: fails" test $? -ne 0
check "non-root: names the package" grep -q 'libyaml-dev' <<<"$out"
check "non-root: does not call apt-get" test ! -s "$tmp/log"

: >"$tmp/log"
run env MISSING="clang-tidy" FAKE_UID=0 bash "$src/scripts/ensure-deps.sh" >/dev/null 2>&1
check "dev tools not required without the flag" test ! -s "$tmp/log"
run env MISSING="clang-tidy" FAKE_UID=0 bash "$src/scripts/ensure-deps.sh" --with-dev-tools >/dev/null 2>&1
check "dev tools installed with the flag" grep -q 'install -y clang-tidy' "$tmp/log"

: >"$tmp/log"
run env MISSING="gcovr" FAKE_UID=0 bash "$src/scripts/ensure-deps.sh" --with-dev-tools >/dev/null 2>&1
check "coverage tools not required without their flag" test ! -s "$tmp/log"
run env MISSING="gcovr" FAKE_UID=0 bash "$src/scripts/ensure-deps.sh" --with-coverage >/dev/null 2>&1
check "coverage tools installed with --with-coverage" grep -q 'install -y gcovr' "$tmp/log"

: >"$tmp/log"
run env MISSING="" FAKE_UID=0 bash "$src/scripts/ensure-deps.sh" --with-dev-tools >/dev/null 2>&1
check "nothing missing: no apt-get" test ! -s "$tmp/log"
finish
