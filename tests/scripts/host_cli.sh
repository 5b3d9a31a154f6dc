#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# p2mkit host from the command line: usage errors, the captured trees of
# tests/data/host with their expected findings, --json, a capture round
# trip, and a live run on whatever machine runs the tests.
# Usage: host_cli.sh SRC_DIR P2MKIT_BINARY CORE_LIB
set -u
src=${1:?source dir}
bin=${2:?p2mkit binary}
data=$src/tests/data/host
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

# expect_rc RC ARGS...: exit status of p2mkit ARGS
expect_rc() {
	local want=$1
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [[ $rc == "$want" ]]; then ok; else bad "p2mkit $* exited $rc, want $want"; fi
}

# expect_text TREE PATTERN...: each fixed string appears in the text report
expect_text() {
	local tree=$1
	shift
	"$bin" host --root "$data/$tree" >"$tmp/out" 2>&1 || bad "$tree: exit $?"
	for pat in "$@"; do
		if grep -qF -- "$pat" "$tmp/out"; then ok; else bad "$tree: no '$pat'"; fi
	done
}

# expect_absent TREE PATTERN...: none of the strings appears
expect_absent() {
	local tree=$1
	shift
	"$bin" host --root "$data/$tree" >"$tmp/out" 2>&1
	for pat in "$@"; do
		if grep -qF -- "$pat" "$tmp/out"; then bad "$tree: unexpected '$pat'"; else ok; fi
	done
}

# ---- usage ------------------------------------------------------------------
expect_rc 0 host --help
grep -q -- '--capture DIR' "$tmp/out" && ok || bad "--help does not describe --capture"
expect_rc 2 host --bogus
expect_rc 2 host --root
expect_rc 2 host --root "$tmp/does-not-exist"
touch "$tmp/a-file"
expect_rc 2 host --root "$tmp/a-file"
expect_rc 2 host --capture "$tmp/a-file/sub"

# ---- captured trees ---------------------------------------------------------
expect_text workstation-gpu \
	"pat-list   read" \
	"info    bar-prefetch-uc-mtrr     0000:01:00.0 BAR1: prefetchable 256 MiB 64-bit BAR covered by a UC variable MTRR: write-combining through PAT still works (PAT WC wins, x86 §7) and is in use, but a WB request (memremap) will get UC" \
	"warning bar-prefetch-uc-mtrr     0000:01:00.0 BAR3" \
	"warning bar-nonprefetch-wc       0000:03:00.0 BAR0" \
	"info    ram-default-unknown" \
	"info    next-step                to see more: modprobe msr (as root)" \
	"Findings: 0 error(s), 2 warning(s), 4 info"
expect_absent workstation-gpu "ram-not-wb" "Diagnostics" "Guest:" "HV    "

expect_text server-many-bars \
	"msr        read       dev/cpu/0/msr.txt" \
	"MTRRs: from the MSRs: enabled, fixed ranges enabled, default type WB, MAXPHYADDR 48" \
	"error   mtrr-undefined-overlap   variable MTRRs 2 (WC) and 3 (WT) overlap" \
	"error   bar-mmio-cacheable-mtrr  0000:c2:00.0 BAR2" \
	"warning bar-prefetch-wb-mtrr     0000:c2:00.0 BAR0" \
	"warning bar-prefetch-uc-mtrr     0000:82:00.0 BAR1" \
	"info    amd-fixed-rdmem-wrmem" \
	"UNDEFINED (overlapping MTRRs)" \
	"Findings: 3 error(s), 2 warning(s)"

expect_text vm-no-mtrr \
	"proc-mtrr  NOT READ   proc/mtrr: missing: no /proc/mtrr: the CPU reports no mtrr flag (at capture time)" \
	"MTRRs: not available" \
	"info    no-mtrr" \
	"info    guest-view" \
	"WC  -> effective WC" \
	"Findings: 0 error(s), 0 warning(s)"

expect_text laptop-nonroot \
	"pat-list   NOT READ   sys/kernel/debug/x86/pat_memtype_list: permission denied: debugfs is root-only (at capture time)" \
	"iomem      NOT READ   proc/iomem: unusable: every address reads as 0: run as root" \
	"PAT   mappings unknown (pat_memtype_list not read)" \
	"info    bar-prefetch-uc-mtrr     0000:00:02.0 BAR2" \
	"Findings: 0 error(s), 0 warning(s)"
expect_absent laptop-nonroot "System RAM  "

expect_text malformed \
	"proc/mtrr:2: size is not a power of two" \
	"sys/kernel/debug/x86/pat_memtype_list:5: unknown cache-mode name" \
	"proc/iomem:2: indentation is not a multiple of two spaces" \
	"sys/bus/pci/devices/0000:00:02.0/resource:3: expected three hex numbers" \
	"dev/cpu/0/msr.txt:3: expected \"0xMSR 0xVALUE\"" \
	"warning malformed-input"

expect_text arm64-server \
	"msr        NOT READ   dev/cpu/0/msr: not x86" \
	"info    not-x86"

# ---- guests (docs/host.md "Inside a guest") ---------------------------------
expect_text xen-hvm-amd \
	"Guest: a Xen HVM guest (CPUID hypervisor bit (cpuinfo flag), sys/hypervisor/type = xen, Xen platform PCI device at 0000:00:03.0, clocksource xen, DMI Xen / HVM domU / Xen)" \
	"Second stage: AMD NPT, modelled by policy xen-npt" \
	"HV    xen-npt, ram_rw: hPAT0 WB (RAM/grant/foreign: hPAT 0 (WB)); grant table (Xen heap pages)" \
	"UC- -> guest view UC (UNVERIFIED cell); through the hypervisor CD" \
	"warning xen-grant-table          0000:00:03.0 BAR1 is the Xen platform PCI device's memory BAR (vendor 0x5853): it holds the grant table" \
	"guest UC- x host WB = CD (x86 §9.2), host MTRR WB: effective CD" \
	"Fix: xl.cfg xen_platform_pci_bar_uc=0" \
	"info    guest-view               running in a Xen HVM guest on AMD NPT"
expect_absent xen-hvm-amd "bar-prefetch-uc-mtrr     0000:00:03.0" "bar-prefetch-uc-only" "advis"

expect_text xen-hvm-intel \
	"Second stage: Intel EPT, modelled by policy xen-ept" \
	"info    xen-grant-table" \
	"predicted (no PAT list): the guest's UC MTRR over the BAR makes Linux's memremap WB request UC-" \
	"on Intel EPT Xen gives these pages EMT WB with IPAT" \
	"effective WB" \
	"info    next-step                to see more: mount -t debugfs none /sys/kernel/debug (as root)"
expect_absent xen-hvm-intel "warning xen-grant-table"

expect_text kvm-guest \
	"Guest: a KVM guest (CPUID hypervisor bit (cpuinfo flag), clocksource kvm-clock, DMI QEMU / Standard PC (Q35 + ICH9, 2009) / EDK II)" \
	"Second stage: Intel EPT, modelled by policy kvm-x86-6.11" \
	"HV    kvm-x86-6.11, ram_rw: WB+IPAT" \
	"HV    kvm-x86-6.11, mmio_dm: - (not present); virtio registers, emulated" \
	"HV    kvm-x86-6.11, mmio_direct: UC (MMIO: UC)" \
	"info    kvm-version-assumed" \
	"info    next-step"
expect_absent kvm-guest "xen-grant-table"

# The commands the grant-table finding names give its answer.
"$bin" explain --policy xen-npt --type ram_rw --host-mtrr WB --guest-pat UC- >"$tmp/out" 2>&1
grep -qF "effective with guest PAT UC-: CD" "$tmp/out" && ok || bad "explain xen-npt: not CD"
# Without --host-mtrr the host MTRR is WB, as its help says (was UC).
"$bin" explain --policy xen-npt --type ram_rw --guest-pat UC- >"$tmp/out" 2>&1
grep -qF "effective with guest PAT UC-: CD" "$tmp/out" && ok || bad "explain xen-npt without --host-mtrr: not CD"
"$bin" explain --policy xen-ept --type ram_rw --special --guest-pat UC- >"$tmp/out" 2>&1
grep -qF "effective with guest PAT UC-: WB" "$tmp/out" && ok || bad "explain xen-ept: not WB"

# ---- JSON -------------------------------------------------------------------
for tree in workstation-gpu server-many-bars vm-no-mtrr laptop-nonroot malformed arm64-server xen-hvm-amd xen-hvm-intel kvm-guest; do
	if "$bin" host --json --root "$data/$tree" >"$tmp/$tree.json"; then ok; else bad "$tree --json: exit $?"; fi
	if command -v python3 >/dev/null 2>&1; then
		if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert {"sources","mtrr","ranges","findings","diagnostics","summary"} <= d.keys()' "$tmp/$tree.json"; then
			ok
		else
			bad "$tree --json: not the expected JSON"
		fi
	fi
done
grep -q '"id": "bar-nonprefetch-wc"' "$tmp/workstation-gpu.json" && ok || bad "workstation JSON lacks bar-nonprefetch-wc"
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/xen-hvm-amd.json" <<'PY' && ok || bad "xen-hvm-amd JSON: guest or grant-table fields wrong"
import json, sys
d = json.load(open(sys.argv[1]))
g = d["guest"]
assert g["hypervisor"] == "xen" and g["paging"] == "npt" and g["policy"] == "xen-npt"
assert g["xen_platform_pci"] == "0000:00:03.0"
bar = [r for r in d["ranges"] if r["name"] == "0000:00:03.0 BAR1"][0]
assert bar["hypervisor"]["p2m_type"] == "ram_rw"
assert bar["pat"][0]["pat"] == "UC-" and bar["pat"][0]["hypervisor_effective"] == "CD"
assert [f for f in d["findings"] if f["id"] == "xen-grant-table"][0]["severity"] == "warning"
PY
fi
grep -q '"status": "no-debugfs"' "$tmp/workstation-gpu.json" && bad "workstation JSON: pat-list should be read" || ok

# ---- capture round trip -----------------------------------------------------
for tree in workstation-gpu server-many-bars vm-no-mtrr laptop-nonroot xen-hvm-amd xen-hvm-intel kvm-guest; do
	"$bin" host --root "$data/$tree" >"$tmp/a.txt" 2>&1
	"$bin" host --root "$data/$tree" --capture "$tmp/cap-$tree" >/dev/null 2>&1 || bad "$tree: capture failed"
	"$bin" host --root "$tmp/cap-$tree" >"$tmp/b.txt" 2>&1
	if diff <(tail -n +2 "$tmp/a.txt") <(tail -n +2 "$tmp/b.txt") >"$tmp/diff"; then
		ok
	else
		bad "$tree: audit of the capture differs:"
		head -n 20 "$tmp/diff"
	fi
	[[ -f $tmp/cap-$tree/p2mkit-capture.txt ]] && ok || bad "$tree: no manifest in the capture"
done
# exactly the files read: no ROM, no unrelated sysfs files
extra=$(cd "$tmp/cap-workstation-gpu" && find . -type f | grep -vE '^\./(proc/(cpuinfo|mtrr|iomem)|sys/kernel/debug/x86/pat_memtype_list|sys/bus/pci/devices/[^/]+/(resource|config)|p2mkit-capture\.txt)$')
[[ -z $extra ]] && ok || bad "capture holds files that were not read: $extra"

# ---- this machine -----------------------------------------------------------
"$bin" host >"$tmp/live" 2>&1
rc=$?
[[ $rc == 0 ]] && ok || bad "live run exited $rc"
for name in cpuinfo msr proc-mtrr pat-list iomem pci; do
	grep -qE "^  $name +(read|NOT READ|not needed) " "$tmp/live" && ok || bad "live run: no status line for $name"
done
"$bin" host --json >/dev/null 2>&1 && ok || bad "live --json failed"

echo "$pass passed, $fail failed"
((fail == 0))
