#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Generate the captured trees p2mkit's host tests audit.

Each tree under tests/data/host/<name>/ looks like what `p2mkit host
--capture DIR` writes on a machine of that kind: the files the audit reads,
at their paths relative to /, plus p2mkit-capture.txt (how each source
fared at capture time) and, where MSRs were readable, dev/cpu/0/msr.txt.
The machines are made up by the project; addresses and layouts follow
common firmware practice.  Run from anywhere: python3 make_trees.py
"""
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

IORES_IO = 0x100
IORES_MEM = 0x200
IORES_PREFETCH = 0x2000
IORES_SIZEALIGN = 0x40000
IORES_MEM_64 = 0x100000


def write(tree, rel, data):
    path = os.path.join(HERE, tree, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)


def cpuinfo(vendor, bits, flags):
    return (f"processor\t: 0\nvendor_id\t: {vendor}\ncpu family\t: 6\n"
            f"model name\t: made-up CPU\nflags\t\t: {flags}\n"
            f"address sizes\t: {bits} bits physical, 48 bits virtual\n\n"
            f"processor\t: 1\nvendor_id\t: {vendor}\n\n")


X86_FLAGS = "fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush"


def bar_flags(kind, prefetch=False, is64=False):
    if kind == "io":
        return IORES_IO | IORES_SIZEALIGN | 0x1
    f = IORES_MEM | IORES_SIZEALIGN
    if prefetch:
        f |= IORES_PREFETCH | 0x8
    if is64:
        f |= IORES_MEM_64 | 0x4
    return f


def device(tree, bdf, bars, header=0, cfg_len=256, vendor=0x8086, dev=0x1234):
    """bars: {index: (start, end, kind, prefetch, is64)}"""
    lines = []
    nres = 13 if header == 0 else 17
    for i in range(nres):
        if i in bars:
            s, e, kind, pf, b64 = bars[i]
            lines.append(f"0x{s:016x} 0x{e:016x} 0x{bar_flags(kind, pf, b64):016x}")
        else:
            lines.append(f"0x{0:016x} 0x{0:016x} 0x{0:016x}")
    write(tree, f"sys/bus/pci/devices/{bdf}/resource", "\n".join(lines) + "\n")
    cfg = bytearray(cfg_len)
    struct.pack_into("<HH", cfg, 0, vendor, dev)
    cfg[0x0e] = header
    nregs = 6 if header == 0 else 2
    for i in range(nregs):
        if i not in bars:
            continue
        s, e, kind, pf, b64 = bars[i]
        if kind == "io":
            struct.pack_into("<I", cfg, 0x10 + 4 * i, (s & 0xfffffffc) | 1)
            continue
        v = (s & 0xfffffff0) | (0x8 if pf else 0) | (0x4 if b64 else 0)
        struct.pack_into("<I", cfg, 0x10 + 4 * i, v)
        if b64:
            struct.pack_into("<I", cfg, 0x10 + 4 * (i + 1), s >> 32)
    write(tree, f"sys/bus/pci/devices/{bdf}/config", bytes(cfg))


def manifest(tree, rows):
    text = "# p2mkit capture manifest v1: source<TAB>status<TAB>reason\n"
    for name, status, reason in rows:
        text += f"{name}\t{status}\t{reason}\n"
    write(tree, "p2mkit-capture.txt", text)


def msr_text(tree, msrs):
    text = '# p2mkit MSR capture v1: "0xMSR 0xVALUE" per line, from /dev/cpu/0/msr\n'
    for k, v in msrs:
        text += f"0x{k:x} 0x{v:016x}\n"
    write(tree, "dev/cpu/0/msr.txt", text)


def fresh(tree):
    shutil.rmtree(os.path.join(HERE, tree), ignore_errors=True)


# ---- 1. workstation: Intel, GPU under a UC variable MTRR, /proc/mtrr ------
def workstation():
    t = "workstation-gpu"
    fresh(t)
    write(t, "proc/cpuinfo", cpuinfo("GenuineIntel", 39, X86_FLAGS))
    write(t, "proc/mtrr",
          "reg00: base=0x000000000 (    0MB), size= 2048MB, count=1: write-back\n"
          "reg01: base=0x080000000 ( 2048MB), size= 1024MB, count=1: write-back\n"
          "reg02: base=0x0c0000000 ( 3072MB), size= 1024MB, count=1: uncachable\n"
          "reg03: base=0x100000000 ( 4096MB), size= 4096MB, count=1: write-back\n")
    write(t, "sys/kernel/debug/x86/pat_memtype_list",
          "PAT memtype list:\n"
          "PAT: [mem 0x0000000012345000-0x0000000012347000] write-combining\n"
          "PAT: [mem 0x00000000e0000000-0x00000000f0000000] write-combining\n"
          "PAT: [mem 0x00000000f6000000-0x00000000f7000000] uncached-minus\n"
          "PAT: [mem 0x00000000f7000000-0x00000000f7020000] write-combining\n"
          "PAT: [mem 0x00000000fed00000-0x00000000fed01000] uncached-minus\n")
    write(t, "proc/iomem",
          "00000000-00000fff : Reserved\n"
          "00001000-0009ffff : System RAM\n"
          "000a0000-000fffff : Reserved\n"
          "  000a0000-000bffff : PCI Bus 0000:00\n"
          "  000f0000-000fffff : System ROM\n"
          "00100000-bfffffff : System RAM\n"
          "  01000000-01e0316f : Kernel code\n"
          "  02000000-0257efff : Kernel rodata\n"
          "c0000000-febfffff : PCI Bus 0000:00\n"
          "  e0000000-f1ffffff : PCI Bus 0000:01\n"
          "    e0000000-efffffff : 0000:01:00.0\n"
          "      e0000000-efffffff : nvidia\n"
          "    f0000000-f1ffffff : 0000:01:00.0\n"
          "  f6000000-f6ffffff : PCI Bus 0000:01\n"
          "    f6000000-f6ffffff : 0000:01:00.0\n"
          "      f6000000-f6ffffff : nvidia\n"
          "  f7000000-f70fffff : PCI Bus 0000:03\n"
          "    f7000000-f701ffff : 0000:03:00.0\n"
          "      f7000000-f701ffff : igb\n"
          "fed00000-fed003ff : HPET 0\n"
          "fee00000-fee00fff : Local APIC\n"
          "100000000-21fffffff : System RAM\n")
    device(t, "0000:00:00.0", {})
    device(t, "0000:00:01.0", {}, header=1)
    device(t, "0000:01:00.0", {
        0: (0xf6000000, 0xf6ffffff, "mem", False, False),
        1: (0xe0000000, 0xefffffff, "mem", True, True),
        3: (0xf0000000, 0xf1ffffff, "mem", True, True),
        5: (0xe000, 0xe07f, "io", False, False),
    }, vendor=0x10de, dev=0x2204)
    device(t, "0000:03:00.0", {
        0: (0xf7000000, 0xf701ffff, "mem", False, False),
    }, dev=0x1533)
    manifest(t, [
        ("cpuinfo", "read", "vendor GenuineIntel, 39-bit physical addresses"),
        ("msr", "missing", "no msr device (load the msr module: modprobe msr)"),
        ("proc-mtrr", "read", "4 variable ranges"),
        ("pat-list", "read", "5 PAT mappings"),
        ("iomem", "read", "22 entries"),
        ("pci", "read", "4 of 4 devices, 4 memory BARs"),
    ])


# ---- 2. server: AMD, MSRs readable, many BARs, 64-bit windows ---------------
def server():
    t = "server-many-bars"
    fresh(t)
    write(t, "proc/cpuinfo", cpuinfo("AuthenticAMD", 48, X86_FLAGS))
    mask48 = (1 << 48) - 1

    def pair(base, size, typ):
        return (base | typ, ((~(size - 1)) & mask48 & ~0xfff) | 0x800)

    GiB = 1 << 30
    TiB = 1 << 40
    pairs = [
        pair(0xc0000000, GiB, 0),           # 3-4 GiB: 32-bit PCI hole, UC
        pair(0x20000000000, TiB, 0),        # 2 TiB window for GPUs: UC
        pair(0x30000000000, 16 * GiB, 1),   # WC ...
        pair(0x30000000000, 4 * GiB, 4),    # ... overlapping WT: undefined
    ]
    msrs = [(0xfe, 0x508), (0x2ff, 0xc06), (0x277, 0x0407050600070106)]
    # Fixed ranges: WB below 640 KiB (with AMD RdMem/WrMem bits set in the
    # first MSR), UC for the VGA hole, WP for the option ROM/BIOS area.
    fixed = {0x250: 0x1e1e1e1e1e1e1e1e, 0x258: 0x0606060606060606,
             0x259: 0x0}
    for m in range(0x268, 0x270):
        fixed[m] = 0x0505050505050505
    msrs += sorted(fixed.items())
    for i in range(8):
        b, m = pairs[i] if i < len(pairs) else (0, 0)
        msrs += [(0x200 + 2 * i, b), (0x201 + 2 * i, m)]
    msr_text(t, msrs)
    pat = ["PAT memtype list:"]
    iomem = ["00000000-00000fff : Reserved",
             "00001000-0009ffff : System RAM",
             "00100000-bfffffff : System RAM",
             "c0000000-fdffffff : PCI Bus 0000:00"]
    # eight NVMe drives in the 32-bit hole, 16 KiB non-prefetchable 64-bit
    for n in range(8):
        bdf = f"0000:{0x41 + n:02x}:00.0"
        s = 0xf8000000 + n * 0x100000
        device(t, bdf, {0: (s, s + 0x3fff, "mem", False, True)}, dev=0x0a54)
        iomem += [f"  {s:08x}-{s + 0x3fff:08x} : {bdf}",
                  f"    {s:08x}-{s + 0x3fff:08x} : nvme"]
        pat.append(f"PAT: [mem 0x{s:016x}-0x{s + 0x4000:016x}] uncached-minus")
    low = []
    iomem += ["@LOW@", "100000000-107fffffff : System RAM",
              "20000000000-3ffffffffff : PCI Bus 0000:00"]
    # two GPUs: 16 MiB registers below 4 GiB, 64 GiB and 32 MiB prefetchable
    # 64-bit BARs in the UC window at 2 TiB
    for n in range(2):
        bdf = f"0000:{0x81 + n:02x}:00.0"
        r = 0xfc000000 + n * 0x1000000
        big = 0x20000000000 + n * 0x1000000000
        small = 0x20800000000 + n * 0x2000000
        device(t, bdf, {0: (r, r + 0xffffff, "mem", False, False),
                        1: (big, big + 0xfffffffff, "mem", True, True),
                        3: (small, small + 0x1ffffff, "mem", True, True)},
               vendor=0x10de, dev=0x20b5)
        low += [f"  {r:08x}-{r + 0xffffff:08x} : {bdf}"]
        iomem += [f"  {big:x}-{big + 0xfffffffff:x} : {bdf}",
                  f"    {big:x}-{big + 0xfffffffff:x} : nvidia",
                  f"  {small:x}-{small + 0x1ffffff:x} : {bdf}"]
        if n == 0:
            pat.append(f"PAT: [mem 0x{big:016x}-0x{big + 0x1000000000:016x}] write-combining")
        pat.append(f"PAT: [mem 0x{r:016x}-0x{r + 0x1000000:016x}] uncached-minus")
    # an accelerator in the WC/WT overlap at 3 TiB (8 GiB prefetchable)
    acc = 0x30000000000
    device(t, "0000:c1:00.0", {0: (acc, acc + 0x1ffffffff, "mem", True, True)},
           dev=0x0b00)
    iomem += [f"  {acc:x}-{acc + 0x1ffffffff:x} : 0000:c1:00.0"]
    # a NIC with BARs above the MTRR windows: default type WB
    nic = 0x30400000000
    device(t, "0000:c2:00.0", {0: (nic, nic + 0x1ffffff, "mem", True, True),
                               2: (nic + 0x2000000, nic + 0x2007fff, "mem", False, True)},
           vendor=0x15b3, dev=0x101d)
    iomem += [f"  {nic:x}-{nic + 0x1ffffff:x} : 0000:c2:00.0",
              f"    {nic:x}-{nic + 0x1ffffff:x} : mlx5_core",
              f"  {nic + 0x2000000:x}-{nic + 0x2007fff:x} : 0000:c2:00.0",
              f"    {nic + 0x2000000:x}-{nic + 0x2007fff:x} : mlx5_core"]
    pat.append(f"PAT: [mem 0x{nic + 0x2000000:016x}-0x{nic + 0x2008000:016x}] uncached-minus")
    device(t, "0000:00:00.0", {})
    at = iomem.index("@LOW@")
    iomem[at:at + 1] = low
    write(t, "proc/iomem", "\n".join(iomem) + "\n")
    write(t, "sys/kernel/debug/x86/pat_memtype_list", "\n".join(pat) + "\n")
    manifest(t, [
        ("cpuinfo", "read", "vendor AuthenticAMD, 48-bit physical addresses"),
        ("msr", "read", "MSRs read"),
        ("proc-mtrr", "not-needed", "the MSRs give the complete MTRR state"),
        ("pat-list", "read", "PAT mappings"),
        ("iomem", "read", "entries"),
        ("pci", "read", "devices"),
    ])


# ---- 3. VM: KVM guest without MTRRs (no mtrr flag, no /proc/mtrr) ----------
def vm():
    t = "vm-no-mtrr"
    fresh(t)
    write(t, "proc/cpuinfo", cpuinfo(
        "GenuineIntel", 46, X86_FLAGS.replace(" mtrr", "") + " hypervisor"))
    write(t, "sys/kernel/debug/x86/pat_memtype_list",
          "PAT memtype list:\n"
          "PAT: [mem 0x00000000fd000000-0x00000000fe000000] write-combining\n"
          "PAT: [mem 0x00000000fe000000-0x00000000fe004000] uncached-minus\n")
    write(t, "proc/iomem",
          "00000000-00000fff : Reserved\n"
          "00001000-0009fbff : System RAM\n"
          "00100000-7ffdffff : System RAM\n"
          "80000000-afffffff : PCI Bus 0000:00\n"
          "c0000000-febfffff : PCI Bus 0000:00\n"
          "  fd000000-fdffffff : 0000:00:02.0\n"
          "    fd000000-fdffffff : bochs-drm\n"
          "  fe000000-fe003fff : 0000:00:03.0\n"
          "    fe000000-fe003fff : virtio-pci-modern\n")
    device(t, "0000:00:00.0", {})
    device(t, "0000:00:02.0", {0: (0xfd000000, 0xfdffffff, "mem", True, False)},
           vendor=0x1234, dev=0x1111)
    device(t, "0000:00:03.0", {4: (0xfe000000, 0xfe003fff, "mem", True, True)},
           vendor=0x1af4, dev=0x1041)
    manifest(t, [
        ("cpuinfo", "read", "vendor GenuineIntel, 46-bit physical addresses, hypervisor"),
        ("msr", "missing", "no /dev/cpu/0 (msr driver absent)"),
        ("proc-mtrr", "missing", "no /proc/mtrr: the CPU reports no mtrr flag"),
        ("pat-list", "read", "2 PAT mappings"),
        ("iomem", "read", "9 entries"),
        ("pci", "read", "3 of 3 devices, 2 memory BARs"),
    ])


# ---- 4. laptop captured as a normal user: debugfs and iomem unreadable -----
def laptop_user():
    t = "laptop-nonroot"
    fresh(t)
    write(t, "proc/cpuinfo", cpuinfo("GenuineIntel", 39, X86_FLAGS))
    write(t, "proc/mtrr",
          "reg00: base=0x000000000 (    0MB), size= 8192MB, count=1: write-back\n"
          "reg01: base=0x200000000 ( 8192MB), size=  512MB, count=1: write-back\n"
          "reg02: base=0x080000000 ( 2048MB), size= 2048MB, count=1: uncachable\n"
          "reg03: base=0x07c000000 ( 1984MB), size=   64MB, count=1: uncachable\n")
    # Non-root readers see every /proc/iomem address as zero.
    write(t, "proc/iomem",
          "00000000-00000000 : Reserved\n"
          "00000000-00000000 : System RAM\n"
          "00000000-00000000 : PCI Bus 0000:00\n"
          "  00000000-00000000 : 0000:00:02.0\n"
          "00000000-00000000 : System RAM\n")
    device(t, "0000:00:00.0", {}, cfg_len=64)
    device(t, "0000:00:02.0", {0: (0xa0000000, 0xa0ffffff, "mem", False, True),
                               2: (0xb0000000, 0xbfffffff, "mem", True, True)},
           cfg_len=64, dev=0x9a49)
    device(t, "0000:00:1f.3", {0: (0x6001100000, 0x6001103fff, "mem", False, True)},
           cfg_len=64, dev=0xa0c8)
    manifest(t, [
        ("cpuinfo", "read", "vendor GenuineIntel, 39-bit physical addresses"),
        ("msr", "denied", "needs root and CAP_SYS_RAWIO"),
        ("proc-mtrr", "read", "4 variable ranges"),
        ("pat-list", "denied", "debugfs is root-only"),
        ("iomem", "unusable", "every address reads as 0: run as root"),
        ("pci", "read", "3 of 3 devices, 3 memory BARs"),
    ])


# ---- 5. malformed input in every parsed file --------------------------------
def malformed():
    t = "malformed"
    fresh(t)
    write(t, "proc/cpuinfo",
          "processor\t: 0\nvendor_id\t: GenuineIntel\nthis line has no colon\n"
          "address sizes\t: 99 bits physical\n\n")
    write(t, "proc/mtrr",
          "reg00: base=0x000000000 (    0MB), size= 2048MB, count=1: write-back\n"
          "reg01: base=0x0c0000000 ( 3072MB), size= 1000MB, count=1: uncachable\n"
          "reg02 base=0x0c0000000\n"
          "reg03: base=0x0c0000000 ( 3072MB), size= 1024MB, count=1: sparkly\n"
          "reg00: base=0x100000000 ( 4096MB), size= 1024MB, count=1: write-back\n"
          "reg04: base=0x0c0000000 ( 3072MB), size=   64KB, count=1: uncachable\n")
    write(t, "sys/kernel/debug/x86/pat_memtype_list",
          "PAT memtype list:\n"
          "PAT: [mem 0x00000000e0000000-0x00000000f0000000] write-combining\n"
          "PAT: [mem 0x00000000e0000000 write-combining\n"
          "PAT: [mem 0x00000000f0000000-0x00000000e0000000] uncached\n"
          "PAT: [mem 0x00000000f0000000-0x00000000f1000000] turbo\n"
          "uncached-minus @ 0xfed00000-0xfed01000\n")
    write(t, "proc/iomem",
          "00001000-0009ffff : System RAM\n"
          "   00002000-00002fff : odd indent\n"
          "00100000-3fffffff : System RAM\n"
          "    01000000-01ffffff : too deep\n"
          "  50000000-5fffffff : outside parent\n"
          "zzzzzzzz-ffffffff : not hex\n"
          "e0000000-efffffff : PCI Bus 0000:00\n"
          "  e0000000-e0ffffff : 0000:00:02.0\n")
    write(t, "sys/bus/pci/devices/0000:00:02.0/resource",
          "0x00000000e0000000 0x00000000e0ffffff 0x0000000000042208\n"
          "0x00000000e1000000 0x00000000e0ffffff 0x0000000000040200\n"
          "garbage\n")
    write(t, "sys/bus/pci/devices/0000:00:02.0/config", b"\x86\x80\x00\x00short")
    msr_text(t, [(0xfe, 0x508)])
    with open(os.path.join(HERE, t, "dev/cpu/0/msr.txt"), "a") as f:
        f.write("0x2ff\n0xfe 0x1\n")


# ---- 6. arm64: no MTRRs or PAT at all ---------------------------------------
def arm64():
    t = "arm64-server"
    fresh(t)
    write(t, "proc/cpuinfo",
          "processor\t: 0\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes\n"
          "CPU implementer\t: 0x41\nCPU architecture: 8\n\n")
    write(t, "proc/iomem",
          "40000000-13fffffff : System RAM\n"
          "4010000000-401fffffff : PCI ECAM\n"
          "8000000000-ffffffffff : PCI Bus 0000:00\n"
          "  8000000000-8000003fff : 0000:00:01.0\n"
          "    8000000000-8000003fff : nvme\n")
    device(t, "0000:00:01.0", {0: (0x8000000000, 0x8000003fff, "mem", False, True)},
           dev=0x0a54)


# ---- 7-9. guests: Xen HVM on AMD and on Intel, KVM on Intel ---------------
# Constructed by the project, not captured: values follow what hvmloader
# (xen-reference-behaviour.md §13), QEMU and Linux produce.  Each holds the
# files `p2mkit host --capture` writes inside such a guest, including the
# one-value files the guest identification reads.

def guest_files(t, hv_type, clock, dmi):
    if hv_type is not None:
        write(t, "sys/hypervisor/type", hv_type + "\n")
    write(t, "sys/devices/system/clocksource/clocksource0/current_clocksource",
          clock + "\n")
    vendor, product, bios = dmi
    write(t, "sys/class/dmi/id/sys_vendor", vendor + "\n")
    write(t, "sys/class/dmi/id/product_name", product + "\n")
    write(t, "sys/class/dmi/id/bios_vendor", bios + "\n")


def xen_hvm(t, vendor, bits, debugfs):
    """A 4 GiB Xen HVM guest with default hvmloader settings
    (xen_platform_pci_bar_uc=1): PCI hole [0xf0000000, 0xfc000000) covered
    UC by two variable MTRRs, default type WB; stdvga at 00:02.0, the Xen
    platform device (5853:0001) at 00:03.0 with its 16 MiB MMIO BAR1 at
    0xf2000000, where Linux maps the grant table."""
    fresh(t)
    write(t, "proc/cpuinfo", cpuinfo(vendor, bits, X86_FLAGS + " hypervisor"))
    write(t, "proc/mtrr",
          "reg00: base=0x0f0000000 ( 3840MB), size=  128MB, count=1: uncachable\n"
          "reg01: base=0x0f8000000 ( 3968MB), size=   64MB, count=1: uncachable\n")
    if debugfs:
        write(t, "sys/kernel/debug/x86/pat_memtype_list",
              "PAT memtype list:\n"
              "PAT: [mem 0x00000000f0000000-0x00000000f2000000] write-combining\n"
              "PAT: [mem 0x00000000f2000000-0x00000000f2040000] uncached-minus\n"
              "PAT: [mem 0x00000000f3000000-0x00000000f3001000] uncached-minus\n"
              "PAT: [mem 0x00000000fec00000-0x00000000fec01000] uncached-minus\n"
              "PAT: [mem 0x00000000fee00000-0x00000000fee01000] uncached-minus\n")
    write(t, "proc/iomem",
          "00000000-00000fff : Reserved\n"
          "00001000-0009ffff : System RAM\n"
          "000a0000-000bffff : PCI Bus 0000:00\n"
          "000c0000-000c8bff : Video ROM\n"
          "000e0000-000fffff : Reserved\n"
          "  000f0000-000fffff : System ROM\n"
          "00100000-efffffff : System RAM\n"
          "  01000000-01e0316f : Kernel code\n"
          "f0000000-fbffffff : PCI Bus 0000:00\n"
          "  f0000000-f1ffffff : 0000:00:02.0\n"
          "    f0000000-f1ffffff : bochs-drm\n"
          "  f2000000-f2ffffff : 0000:00:03.0\n"
          "    f2000000-f2ffffff : xen-platform-pci\n"
          "  f3000000-f3000fff : 0000:00:02.0\n"
          "    f3000000-f3000fff : bochs-drm\n"
          "fc000000-ffffffff : Reserved\n"
          "  fec00000-fec003ff : IOAPIC 0\n"
          "  fee00000-fee00fff : Local APIC\n"
          "100000000-10fffffff : System RAM\n")
    device(t, "0000:00:00.0", {}, dev=0x1237)
    device(t, "0000:00:01.0", {}, dev=0x7000)
    device(t, "0000:00:01.1", {4: (0xc100, 0xc10f, "io", False, False)},
           dev=0x7010)
    device(t, "0000:00:02.0", {
        0: (0xf0000000, 0xf1ffffff, "mem", True, False),
        2: (0xf3000000, 0xf3000fff, "mem", False, False),
    }, vendor=0x1234, dev=0x1111)
    device(t, "0000:00:03.0", {
        0: (0xc000, 0xc0ff, "io", False, False),
        1: (0xf2000000, 0xf2ffffff, "mem", True, False),
    }, vendor=0x5853, dev=0x0001)
    guest_files(t, "xen", "xen", ("Xen", "HVM domU", "Xen"))
    pat = (("pat-list", "read", "5 PAT mappings") if debugfs else
           ("pat-list", "no-debugfs",
            "sys/kernel/debug is empty (as root: mount -t debugfs none "
            "/sys/kernel/debug)"))
    manifest(t, [
        ("cpuinfo", "read",
         f"vendor {vendor}, {bits}-bit physical addresses, hypervisor"),
        ("msr", "missing", "no msr device (load the msr module: modprobe msr)"),
        ("proc-mtrr", "read", "2 variable ranges"),
        pat,
        ("iomem", "read", "19 entries"),
        ("pci", "read", "6 of 6 devices, 3 memory BARs"),
    ])


def kvm_guest():
    """A KVM guest on Intel: QEMU Q35 with OVMF (32-bit window from 2 GiB
    and a 64-bit window at 32 GiB, both covered UC by OVMF's MTRRs, default
    WB), bochs VGA, virtio-net, AHCI; no msr module, no debugfs."""
    t = "kvm-guest"
    fresh(t)
    write(t, "proc/cpuinfo",
          cpuinfo("GenuineIntel", 46, X86_FLAGS + " hypervisor"))
    write(t, "proc/mtrr",
          "reg00: base=0x080000000 ( 2048MB), size= 2048MB, count=1: uncachable\n"
          "reg01: base=0x800000000 (32768MB), size=32768MB, count=1: uncachable\n")
    write(t, "proc/iomem",
          "00000000-00000fff : Reserved\n"
          "00001000-0009ffff : System RAM\n"
          "000a0000-000fffff : Reserved\n"
          "00100000-7ffdbfff : System RAM\n"
          "  01000000-01e0316f : Kernel code\n"
          "7ffdc000-7fffffff : Reserved\n"
          "80000000-afffffff : PCI Bus 0000:00\n"
          "  80000000-80ffffff : 0000:00:01.0\n"
          "    80000000-80ffffff : bochs-drm\n"
          "  81000000-81000fff : 0000:00:01.0\n"
          "    81000000-81000fff : bochs-drm\n"
          "  81001000-81001fff : 0000:00:02.0\n"
          "  81002000-81002fff : 0000:00:1f.2\n"
          "    81002000-81002fff : ahci\n"
          "b0000000-bfffffff : PCI MMCONFIG 0000 [bus 00-ff]\n"
          "fec00000-fec003ff : IOAPIC 0\n"
          "fee00000-fee00fff : Local APIC\n"
          "100000000-27fffffff : System RAM\n"
          "800000000-fffffffff : PCI Bus 0000:00\n"
          "  800000000-800003fff : 0000:00:02.0\n"
          "    800000000-800003fff : virtio-pci-modern\n")
    device(t, "0000:00:00.0", {}, dev=0x29c0)
    device(t, "0000:00:01.0", {
        0: (0x80000000, 0x80ffffff, "mem", True, False),
        2: (0x81000000, 0x81000fff, "mem", False, False),
    }, vendor=0x1234, dev=0x1111)
    device(t, "0000:00:02.0", {
        1: (0x81001000, 0x81001fff, "mem", False, False),
        4: (0x800000000, 0x800003fff, "mem", True, True),
    }, vendor=0x1af4, dev=0x1041)
    device(t, "0000:00:1f.2", {5: (0x81002000, 0x81002fff, "mem", False, False)},
           dev=0x2922)
    guest_files(t, None, "kvm-clock",
                ("QEMU", "Standard PC (Q35 + ICH9, 2009)", "EDK II"))
    manifest(t, [
        ("cpuinfo", "read", "vendor GenuineIntel, 46-bit physical addresses, hypervisor"),
        ("msr", "missing", "no msr device (load the msr module: modprobe msr)"),
        ("proc-mtrr", "read", "2 variable ranges"),
        ("pat-list", "no-debugfs",
         "sys/kernel/debug is empty (as root: mount -t debugfs none /sys/kernel/debug)"),
        ("iomem", "read", "21 entries"),
        ("pci", "read", "4 of 4 devices, 5 memory BARs"),
    ])


if __name__ == "__main__":
    workstation()
    server()
    vm()
    laptop_user()
    malformed()
    arm64()
    xen_hvm("xen-hvm-amd", "AuthenticAMD", 48, debugfs=True)
    xen_hvm("xen-hvm-intel", "GenuineIntel", 46, debugfs=False)
    kvm_guest()
