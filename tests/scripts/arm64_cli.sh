#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The ARM64 CLI forms: `combine arm64` (first word, fields, exit codes,
# --json) and `explain --arch arm64` (layers, consequences).
# Usage: bash arm64_cli.sh SRC_DIR P2MKIT_BINARY CORE_LIB
set -u
bin=${2:?usage: arm64_cli.sh SRC_DIR P2MKIT_BINARY CORE_LIB}
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

# first WANT_WORD WANT_RC ARGS...: first word of stdout and exit status.
first() {
	local want=$1 want_rc=$2
	shift 2
	local out rc
	out=$("$bin" "$@" 2>/dev/null)
	rc=$?
	local got=${out%% *}
	got=${got%%$'\n'*}
	if [[ $got == "$want" && $rc == "$want_rc" ]]; then ok; else
		bad "p2mkit $* -> '$got' rc=$rc, want '$want' rc=$want_rc"
	fi
}

# has PATTERN ARGS...: stdout matches the extended regex.
has() {
	local pat=$1
	shift
	if "$bin" "$@" 2>/dev/null | grep -Eq -- "$pat"; then ok; else
		bad "p2mkit $* does not print /$pat/"
	fi
}

# rc WANT ARGS...: exit status only.
rc() {
	local want=$1
	shift
	"$bin" "$@" >/dev/null 2>&1
	local got=$?
	if [[ $got == "$want" ]]; then ok; else
		bad "p2mkit $* -> rc=$got, want $want"
	fi
}

c="combine arm64"
# The contract (shared/tools/cli-contract-check).
first Normal-IWB-OWB 0 $c --s1 0xff --s2 0xf
first Device-nGnRE 0 $c --s1 0xff --s2 0x1
first Normal-IWB-OWB 0 $c --s1 0x44 --s2 0x6 --fwb
# arm64 §5.2 cells and the Device order.
first Device-nGnRnE 0 $c --s1 0x00 --s2 0xf
first Device-nGnRE 0 $c --s1 0x0c --s2 0x1
first Device-GRE 0 $c --s1 0x0c --s2 0x5
first Device-nGRE 0 $c --s1 0xff --s2 0x2
first Normal-IWT-OWT 0 $c --s1 0xbb --s2 0xf
first Normal-IWT-OWT 0 $c --s1 0xff --s2 0xa
first Normal-INC-ONC 0 $c --s1 0x44 --s2 0x5
first Normal-INC-OWB 0 $c --s1 0xf4 --s2 0xf
# FWB (arm64 §4).
first Device-nGnRE 0 $c --s1 0xff --s2 0x1 --fwb
first Device-nGnRE 0 $c --s1 0x04 --s2 0x5 --fwb
first Normal-INC-ONC 0 $c --s1 0xff --s2 0x5 --fwb
first Normal-IWB-OWB 0 $c --s1 0x00 --s2 0x6 --fwb
first Device-nGRE 0 $c --s1 0x08 --s2 0x7 --fwb
# UNPREDICTABLE / reserved: printed, exit 1.
first UNPREDICTABLE 1 $c --s1 0xff --s2 0x4
first UNPREDICTABLE 1 $c --s1 0x0e --s2 0xf
first UNPREDICTABLE 1 $c --s1 0x40 --s2 0xf --features none
first RESERVED 1 $c --s1 0xff --s2 0x4 --fwb
first RESERVED 1 $c --s1 0xff --s2 0x9 --fwb
first RESERVED 1 $c --s1 0xff --s2 0xf --sh1 1
first Normal-INC-ONC 0 $c --s1 0x40 --s2 0xf
# Controls.
first Normal-INC-ONC 0 $c --s1 0xff --s2 0xf --hcr-cd
first Normal-IWB-OWB 0 $c --s1 0x00 --s2 0xf --hcr-dc
first Device-nGnRnE 0 $c --s1 0xff --s2 0xf --s1-off
# Fields on the line.
has 'sh=OSH\(forced\)' $c --s1 0xff --s2 0x1
has 'faults=unaligned-fault,dc-zva-fault,memcpy-fault' $c --s1 0x44 --s2 0x1
has 'allows=.*write-combine' $c --s1 0x44 --s2 0x5
has 'hints=i:RWA,o:RWA sh=ISH faults=none' $c --s1 0xff --s2 0xf
has 'sh=NSH' $c --s1 0xff --s2 0xf --sh1 nsh --sh2 NSH
has 'sh=OSH ' $c --s1 0xff --s2 0xf --sh1 ISH --sh2 osh
has ' tagged' $c --s1 0xf0 --s2 0xf
has ' unverified' $c --s1 0x00 --s2 0x3 --fwb
# JSON.
has '"type": "Device-nGnRE"' $c --s1 0x44 --s2 0x1 --json
has '"memcpy_faults": true' $c --s1 0x44 --s2 0x1 --json
has '"shareability": "OSH"' $c --s1 0x44 --s2 0x5 --json
has '"status": "UNPREDICTABLE"' $c --s1 0xff --s2 0x4 --json
rc 1 $c --s1 0xff --s2 0x4 --json
# Usage errors: exit 2.
rc 2 $c --s1 0xff
rc 2 $c --s2 0xf
rc 2 $c --s1 0x100 --s2 0xf
rc 2 $c --s1 0xff --s2 0x10
rc 2 $c --s1 zz --s2 0xf
rc 2 $c --s1 0xff --s2 0xf --sh1 XSH
rc 2 $c --s1 0xff --s2 0xf --features bogus
rc 2 $c --s1 0xff --s2 0xf --bogus
rc 2 $c --s1 0xff --s2 0xf extra
rc 0 $c --help
has 'usage: p2mkit combine arm64' $c --help

# explain --arch arm64.
e="explain --arch arm64"
m=0x000000000044ff04
first ARM64 0 $e --mair $m --attrindx 2 --s2 0x1
has '^1\. Stage 1' $e --mair $m --attrindx 2 --s2 0x1
has 'AttrIndx = 2 -> Attr2 = 0x44' $e --mair $m --attrindx 2 --s2 0x1
has '^2\. Stage 2' $e --mair $m --attrindx 2 --s2 0x1
has '^3\. Combination' $e --mair $m --attrindx 2 --s2 0x1
has 'arm64 §5\.1' $e --mair $m --attrindx 2 --s2 0x1
has '^Effective: Device-nGnRE' $e --mair $m --attrindx 2 --s2 0x1
has 'memcpy to this mapping will take alignment faults' $e --mair $m --attrindx 2 --s2 0x1
has '^Effective: Normal-INC-ONC' $e --mair $m --attrindx 2 --s2 0x5
has 'write-combining possible' $e --mair $m --attrindx 2 --s2 0x5
has '^Effective: Normal-IWB-OWB' $e --mair $m --attrindx 1 --s2 0xf
has 'pass-through' $e --mair $m --attrindx 0 --s2 0x7 --fwb
has 'Device-nGnRnE' $e --s1-off --s2 0xf
has 'HCR_EL2.DC = 1' $e --hcr-dc --s2 0xf
has '"consequences"' $e --mair $m --attrindx 2 --s2 0x1 --json
has '"attrindx": 2' $e --mair $m --attrindx 2 --s2 0x1 --json
rc 1 $e --mair $m --attrindx 2 --s2 0x8
rc 2 $e --mair $m --s2 0x1
rc 2 $e --mair $m --attrindx 8 --s2 0x1
rc 2 $e --mair $m --attrindx 2
rc 2 $e --s2 0x1
rc 0 $e --help

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
