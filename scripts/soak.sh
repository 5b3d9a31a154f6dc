#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Soak: the randomized tests under many seeds, then every libFuzzer target
# for a while.  A randomized test is one carrying the CTest label `seeded`
# (tests/CMakeLists.txt gives it to every test whose source calls
# test_seed()); it must print `seed: P2MK_SEED=N` and replay with that N.
#
# Usage: scripts/soak.sh [--seeds N] [--seed S]... [--fuzz-minutes M]
#                        [--fuzz-runs R] [--target NAME]... [--no-tests]
#                        [--no-fuzz]
#   --seeds N         N fresh random seeds (default 10), printed
#   --seed S          run seed S (repeatable; replaces the random ones)
#   --fuzz-minutes M  each fuzz target runs M minutes (default 1; 0: no limit)
#   --fuzz-runs R     each fuzz target stops after R executions
#   --target NAME     fuzz only NAME (repeatable; default every fuzz_* target)
#   --fuzz-timeout S  an input running S seconds is a hang (default 60: the
#                     clock is wall time, and a soak under `nice -n 19` on a
#                     busy machine may be descheduled for many seconds)
# The fuzz corpus grows in build-fuzz/corpus/NAME (started from
# fuzz/seeds/NAME); crash inputs land in build-fuzz/artifacts/NAME/.
# Exit status: 0 everything held, 1 a test or a target failed, 2 bad usage.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

usage() {
	sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
nseeds=10 minutes=1 runs=0 timeout=60 tests=1 fuzz=1
seeds=() targets=()
while (($#)); do
	case $1 in
	--seeds) nseeds=${2:-x} && shift ;;
	--seed) seeds+=("${2:-x}") && shift ;;
	--fuzz-minutes) minutes=${2:-x} && shift ;;
	--fuzz-runs) runs=${2:-x} && shift ;;
	--target) targets+=("${2:-x}") && shift ;;
	--fuzz-timeout) timeout=${2:-x} && shift ;;
	--no-tests) tests=0 ;;
	--no-fuzz) fuzz=0 ;;
	*) usage ;;
	esac
	shift
done
for n in "$nseeds" "$minutes" "$runs" "$timeout" "${seeds[@]}"; do
	[[ $n =~ ^[0-9]+$ ]] || usage
done
jobs=$(nproc 2>/dev/null || echo 2)
failed=0
log_dir=build/soak
mkdir -p "$log_dir"

# --- randomized tests -----------------------------------------------------

random_seed() { od -An -tu4 -N4 /dev/urandom | tr -d ' '; }

# run_seed S: every seeded test once with P2MK_SEED=S; checks that each test
# passed and really printed that seed (ctest -V prefixes a test's output
# with its number), names the failures with their replay command.
run_seed() {
	local s=$1 log=$log_dir/seed-$1.log rc name num start=$SECONDS bad=$failed
	failed=0
	P2MK_SEED=$s ctest --test-dir build -L seeded -j "$jobs" -V >"$log" 2>&1
	rc=$?
	for name in "${seeded[@]}"; do
		num=$(sed -n "s/^ *[0-9]*\/[0-9]* *Test *#\([0-9]*\): $name \.*\** *Passed.*/\1/p" "$log")
		if [[ -n $num ]] && grep -q "^$num: seed: P2MK_SEED=$s\$" "$log"; then
			continue
		fi
		echo "soak: FAILED $name with seed $s (log $log); replay:" \
			"P2MK_SEED=$s ctest --test-dir build -R '^$name\$' --output-on-failure" >&2
		failed=1
	done
	if ((rc != 0)) && ((failed == 0)); then
		echo "soak: ctest failed with seed $s (see $log)" >&2
		failed=1
	fi
	echo "soak: seed $s: $( ((failed)) && echo FAILED || echo passed)" \
		"($((SECONDS - start)) s)"
	((failed)) || rm -f "$log" # keep only the logs of failures
	failed=$((failed | bad))
}

soak_tests() {
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 1
	cmake --build build -j "$jobs" >/dev/null || exit 1
	mapfile -t seeded < <(ctest --test-dir build -L seeded -N 2>/dev/null |
		sed -n 's/^ *Test *#[0-9]*: //p')
	if ((${#seeded[@]} == 0)); then
		echo "soak: no test carries the label 'seeded'" >&2
		exit 1
	fi
	if ((${#seeds[@]} == 0)); then
		for ((i = 0; i < nseeds; i++)); do seeds+=("$(random_seed)"); done
	fi
	echo "soak: ${#seeded[@]} seeded tests: ${seeded[*]}"
	echo "soak: ${#seeds[@]} seeds: ${seeds[*]}"
	local start=$SECONDS s
	for s in "${seeds[@]}"; do
		run_seed "$s"
	done
	echo "soak: tests: each of ${seeded[*]} ran with seeds ${seeds[*]}" \
		"in $((SECONDS - start)) s"
}

# --- fuzz targets ---------------------------------------------------------

# max_len NAME: the longest input worth mutating for NAME's format.
max_len() {
	case $1 in
	fuzz_mtrr_plan) echo 192 ;; # 3 bytes + 16 ranges of 11
	*) echo 4096 ;;             # text, YAML, argv (cli targets cap 4096)
	esac
}

# fuzz_one NAME: runs build-fuzz/fuzz/NAME on its corpus and prints its
# executions, coverage and crash count.
fuzz_one() {
	local name=$1 target=build-fuzz/fuzz/$1 corpus=build-fuzz/corpus/$1
	local art=build-fuzz/artifacts/$1/ log=build-fuzz/$1.soak.log
	local start=$SECONDS rc args execs cov ft crashes
	mkdir -p "$corpus" "$art"
	# -close_fd_mask=3: the targets' own output goes to /dev/null (a
	# long run of the CLI would log gigabytes of usage messages);
	# libFuzzer's lines and sanitizer reports still reach the log.
	args=(-print_final_stats=1 -timeout="$timeout" -artifact_prefix="$art"
		-max_total_time=$((minutes * 60)) -close_fd_mask=3
		-rss_limit_mb=2048 -max_len="$(max_len "$name")")
	((runs > 0)) && args+=(-runs="$runs")
	local dirs=("$corpus")
	[[ -d fuzz/seeds/$name ]] && dirs+=("fuzz/seeds/$name")
	"$target" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: //p' "$log" | tail -n 1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n 1 | cut -d' ' -f2)
	crashes=$(find "$art" -maxdepth 1 -type f \
		\( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) |
		wc -l)
	printf 'soak: %-22s %10s execs %6d s  cov %5s  ft %6s  corpus %5d  crashes %d\n' \
		"$name" "${execs:-?}" $((SECONDS - start)) "${cov:-?}" "${ft:-?}" \
		"$(find "$corpus" -type f | wc -l)" "$crashes"
	if ((rc != 0 || crashes > 0)); then
		grep -E 'ERROR|SUMMARY|Test unit written|runtime error' "$log" | head -n 20 >&2
		echo "soak: FAILED $name (log $log); reproduce: $target" \
			"$(find "$art" -maxdepth 1 -type f | head -n 1)" >&2
		failed=1
	fi
}

soak_fuzz() {
	if ! command -v clang >/dev/null 2>&1; then
		echo "soak: clang not found; cannot fuzz" >&2
		exit 1
	fi
	cmake -S . -B build-fuzz -G Ninja -DCMAKE_C_COMPILER=clang \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DP2MK_FUZZ=ON \
		-DP2MK_BUILD_TESTS=OFF >/dev/null || exit 1
	cmake --build build-fuzz -j "$jobs" >/dev/null || exit 1
	if ((${#targets[@]} == 0)); then
		mapfile -t targets < <(find build-fuzz/fuzz -maxdepth 1 -type f -perm -u+x \
			-name 'fuzz_*' -printf '%f\n' | sort)
	fi
	local name
	for name in "${targets[@]}"; do
		[[ -x build-fuzz/fuzz/$name ]] || {
			echo "soak: no fuzz target $name" >&2
			exit 2
		}
		fuzz_one "$name"
	done
}

start=$SECONDS
((tests)) && soak_tests
((fuzz)) && soak_fuzz
echo "soak: $( ((failed)) && echo FAILED || echo passed) in $((SECONDS - start)) s"
exit $failed
