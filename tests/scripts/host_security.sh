#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# p2mkit host over hostile trees (docs/host.md "Files as root"): escaping
# links (absolute, relative, to a file, to a directory), a FIFO, device
# nodes (as root only), a hard link, a 10 MB line, an oversized file, control
# bytes in names and reasons, capture directories with planted links.  For
# every case: no hang (each run under timeout), nothing outside the trees
# read (a sentinel file's content never appears) or written (its content and
# mtime, and the outside directory's listing, never change), and the text
# on stdout/stderr carries no control byte but \n and \t.
# Usage: host_security.sh SRC_DIR P2MKIT_BINARY CORE_LIB
set -u
src=${1:?source dir}
bin=${2:?p2mkit binary}
data=$src/tests/data/host
pass=0
fail=0
tmp=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
}

# ---- the outside world ------------------------------------------------------
out=$tmp/outside
mkdir -p "$out/dir"
sentinel="P2MK-SENTINEL-$$-$RANDOM"
for f in "$out/secret" "$out/dir/resource" "$out/dir/pat_memtype_list"; do
	printf '%s\n00001000-0009ffff : System RAM %s\n' "$sentinel" "$sentinel" >"$f"
done
touch -d '2001-01-01 00:00:00' "$out/secret" "$out/dir/resource"
snapshot() { (cd "$out" && find . -printf '%p %s %T@\n' | sort && cat secret dir/resource) | sha256sum; }
before=$(snapshot)

# clean FILE: only printable bytes, \n, \t and UTF-8 (>= 0x80)
clean() {
	local n
	n=$(LC_ALL=C tr -d '\n\t\040-\176\200-\377' <"$1" | wc -c)
	[[ $n == 0 ]]
}

# run NAME RC ARGS...: p2mkit under a timeout; checks the exit status, the
# absence of the sentinel and clean output.  Leaves the output in $tmp/NAME.
run() {
	local name=$1 want=$2
	shift 2
	timeout 60 "$bin" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	local rc=$?
	if [[ $rc == 124 ]]; then
		bad "$name: hung (killed after 60 s)"
		return
	fi
	[[ $rc == "$want" ]] && ok || bad "$name: exit $rc, want $want ($(head -c 200 "$tmp/$name.err"))"
	if grep -qF "$sentinel" "$tmp/$name.out" "$tmp/$name.err"; then
		bad "$name: content from outside the tree was printed"
	else
		ok
	fi
	clean "$tmp/$name.out" && clean "$tmp/$name.err" && ok || bad "$name: control bytes in the output"
}

# has NAME STRING: the text output of run NAME contains STRING
has() { grep -qF -- "$2" "$tmp/$1.out" && ok || bad "$1: no '$2'"; }

# fresh NAME: a copy of a captured tree to plant things in
fresh() {
	rm -rf "${tmp:?}/$1"
	cp -r "$data/workstation-gpu" "$tmp/$1"
}

# ---- --root: escaping links -------------------------------------------------
fresh abs
ln -sf "$out/secret" "$tmp/abs/proc/iomem"
ln -s "$out/dir" "$tmp/abs/sys/bus/pci/devices/0000:09:00.0"
rm -rf "$tmp/abs/sys/kernel/debug"
ln -s "$out/dir" "$tmp/abs/sys/kernel/debug"
run abs 0 host --root "$tmp/abs"
has abs "iomem      NOT READ   proc/iomem: refused"
has abs "pat-list   NOT READ"
run abs-json 0 host --json --root "$tmp/abs"
run abs-cap 0 host --root "$tmp/abs" --capture "$tmp/cap-abs"
grep -rqF "$sentinel" "$tmp/cap-abs" && bad "abs: the capture holds outside content" || ok

fresh rel
ln -sf ../../../outside/secret "$tmp/rel/proc/mtrr"
ln -s ../../../../../outside/dir "$tmp/rel/sys/bus/pci/devices/0000:09:00.0"
mkdir -p "$tmp/rel/sys/bus/pci/devices/0000:0a:00.0"
ln -s ../../../../../../outside/dir/resource "$tmp/rel/sys/bus/pci/devices/0000:0a:00.0/resource"
ln -sf ../proc/../../outside/secret "$tmp/rel/proc/cpuinfo"
run rel 0 host --root "$tmp/rel"
has rel "proc-mtrr  NOT READ   proc/mtrr: refused"
has rel "cpuinfo    NOT READ   proc/cpuinfo: refused"
run rel-cap 0 host --root "$tmp/rel" --capture "$tmp/cap-rel"
grep -rqF "$sentinel" "$tmp/cap-rel" && bad "rel: the capture holds outside content" || ok

# A link that stays beneath the root is followed.
fresh inside
mv "$tmp/inside/proc/cpuinfo" "$tmp/inside/cpuinfo.real"
ln -s ../cpuinfo.real "$tmp/inside/proc/cpuinfo"
run inside 0 host --root "$tmp/inside"
has inside "cpuinfo    read       proc/cpuinfo: vendor GenuineIntel"

# A link loop.
fresh loop
ln -sf iomem2 "$tmp/loop/proc/iomem"
ln -s iomem "$tmp/loop/proc/iomem2"
run loop 0 host --root "$tmp/loop"
has loop "proc/iomem: refused"

# A hard link to a file outside (same file system).
fresh hard
if ln -f "$out/secret" "$tmp/hard/proc/iomem" 2>/dev/null; then
	run hard 0 host --root "$tmp/hard"
	has hard "proc/iomem: refused: a regular file with more than one hard link"
else
	echo "note: hard links unavailable here; case skipped"
fi

# ---- special files ------------------------------------------------------------
fresh fifo
rm "$tmp/fifo/proc/iomem" "$tmp/fifo/proc/mtrr"
mkfifo "$tmp/fifo/proc/iomem" "$tmp/fifo/proc/mtrr"
run fifo 0 host --root "$tmp/fifo"
has fifo "proc/iomem: refused: not a regular file"
run fifo-cap 0 host --root "$tmp/fifo" --capture "$tmp/cap-fifo"

if [[ $(id -u) == 0 ]]; then
	fresh dev
	rm "$tmp/dev/proc/iomem" "$tmp/dev/proc/mtrr"
	mknod "$tmp/dev/proc/iomem" c 1 1 # /dev/mem
	mknod "$tmp/dev/proc/mtrr" c 1 5  # /dev/zero: endless
	mkdir -p "$tmp/dev/dev/cpu/0"
	mknod "$tmp/dev/dev/cpu/0/msr" c 1 1 # not the msr driver's major
	run dev 0 host --root "$tmp/dev"
	has dev "proc/iomem: refused: not a regular file"
	has dev "proc/mtrr: refused: not a regular file"
	has dev "msr        NOT READ   dev/cpu/0/msr: refused"
else
	echo "note: not root; the device-node case is skipped"
fi

# ---- big and hostile content ----------------------------------------------------
fresh big
{
	printf '00001000-0009ffff : System RAM\n'
	head -c 10485760 /dev/zero | tr '\0' 'A'
	printf '\n'
} >"$tmp/big/proc/iomem"
run big 0 host --root "$tmp/big"
has big "proc/iomem:2: "
size=$(stat -c %s "$tmp/big.out")
((size < 200000)) && ok || bad "big: $size bytes of output for one long line"

fresh huge
head -c 17000000 /dev/zero | tr '\0' '\n' >"$tmp/huge/proc/iomem"
run huge 0 host --root "$tmp/huge"
has huge "proc/iomem: refused: larger than the 16 MiB input cap"

fresh ctl
esc=$'\e'
owner="nv${esc}[2J${esc}]0;pwned"$'\a'"idia"$'\x7f'$'\r'"x"
printf '%s\n' \
	"00001000-0009ffff : System RAM" \
	"00100000-bfffffff : System RAM" \
	"c0000000-febfffff : PCI Bus 0000:00" \
	"  e0000000-efffffff : 0000:01:00.0" \
	"    e0000000-efffffff : $owner" \
	"  f6000000-f6ffffff : 0000:01:00.0" \
	"    f6000000-f6ffffff : ${esc}[31mred" >"$tmp/ctl/proc/iomem"
printf 'cpuinfo\tread\tvendor \e[5mblink\a\n' >"$tmp/ctl/p2mkit-capture.txt"
printf 'msr\tmissing\tno msr \e]52;c;cHduZWQ=\a device\x01\x02\x1b\n' >>"$tmp/ctl/p2mkit-capture.txt"
printf 'PAT: [mem 0x00000000e0000000-0x00000000f0000000] write-combining \e[7m\x08\x08\n' >"$tmp/ctl/sys/kernel/debug/x86/pat_memtype_list"
run ctl 0 host --root "$tmp/ctl"
has ctl "claimed by nv?[2J?]0;pwned?idia?"
run ctl-json 0 host --json --root "$tmp/ctl"
grep -qiF 'nv\u001b[2J' "$tmp/ctl-json.out" && ok || bad "ctl: JSON does not escape the control bytes"

# ---- --capture: planted links -------------------------------------------------
# a link to a file inside the capture directory
mkdir "$tmp/cap1"
ln -s "$out/secret" "$tmp/cap1/p2mkit-capture.txt"
run cap1 2 host --root "$data/workstation-gpu" --capture "$tmp/cap1"
grep -qF "not empty" "$tmp/cap1.err" && ok || bad "cap1: no 'not empty' message"
# a link to a directory inside it
mkdir "$tmp/cap2"
ln -s "$out/dir" "$tmp/cap2/proc"
run cap2 2 host --root "$data/workstation-gpu" --capture "$tmp/cap2"
# the capture directory itself a link to a directory, and to a file
ln -s "$out/dir" "$tmp/cap3"
run cap3 2 host --root "$data/workstation-gpu" --capture "$tmp/cap3"
grep -qF "symbolic link" "$tmp/cap3.err" && ok || bad "cap3: no 'symbolic link' message"
ln -s "$out/secret" "$tmp/cap4"
run cap4 2 host --root "$data/workstation-gpu" --capture "$tmp/cap4"
# a dangling link where the directory would be created
ln -s "$out/newdir" "$tmp/cap5"
run cap5 2 host --root "$data/workstation-gpu" --capture "$tmp/cap5"
[[ -e $out/newdir ]] && bad "cap5: created a directory through a link" || ok
# an empty directory of another user (root only: chown)
if [[ $(id -u) == 0 ]]; then
	mkdir -m 777 "$tmp/cap7"
	chown 65534:65534 "$tmp/cap7"
	run cap7 2 host --root "$data/workstation-gpu" --capture "$tmp/cap7"
	grep -qF "belongs to another user" "$tmp/cap7.err" && ok || bad "cap7: no ownership message"
	[[ -z $(ls -A "$tmp/cap7") ]] && ok || bad "cap7: written into"
fi
# an empty directory is accepted, and the capture holds only regular files
mkdir "$tmp/cap6"
run cap6 0 host --root "$data/workstation-gpu" --capture "$tmp/cap6"
[[ -z $(find "$tmp/cap6" ! -type f ! -type d) ]] && ok || bad "cap6: non-regular files in the capture"
[[ -z $(find "$tmp/cap6" -name '*.p2mkit-tmp') ]] && ok || bad "cap6: temporary files left"
# the capture of a capture is the same report
run cap6-again 0 host --root "$tmp/cap6"
diff <(sed 1d "$tmp/cap6.out" | head -n -2) <(sed 1d "$tmp/cap6-again.out") >/dev/null && ok || bad "cap6: re-audit differs"

# ---- the outside world is untouched -------------------------------------------
[[ $(snapshot) == "$before" ]] && ok || bad "the outside directory changed"

echo "$pass passed, $fail failed"
((fail == 0))
