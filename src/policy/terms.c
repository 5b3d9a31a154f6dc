// SPDX-License-Identifier: BSD-2-Clause
/*
 * The built-in policies in their own hypervisors' terms (policy_terms.h).
 * Names come from the sources the policies restate: Xen from
 * xen-reference-behaviour.md (xen §N), KVM x86 from x86-memory-types.md
 * §11, KVM arm64 from arm64-memory-attributes.md §8, the others from
 * landscape-and-users.md §2-§3.
 */
#include <p2mkit/policy_terms.h>

#define IN(x) (UINT32_C(1) << P2MK_POLIN_##x)

/* Xen EPT (xen §6): epte_get_entry_emt() and what it consults. */
#define XEN_EPT_NAMES                                                          \
	[P2MK_POLIN_GUEST_MTRR] = "the vCPU's MTRRs (mtrr_get_type)",          \
	[P2MK_POLIN_HOST_MTRR] = "host MTRRs (mtrr_get_type on mtrr_state)",   \
	[P2MK_POLIN_IOMMU] = "is_iommu_enabled(d)",                            \
	[P2MK_POLIN_IO_RANGES] = "iomem_caps (cache_flush_permitted(d))",      \
	[P2MK_POLIN_IO_CAPS] =                                                 \
	    "ioport_caps, pdev_list (cache_flush_permitted(d))",               \
	[P2MK_POLIN_MMIO_RO] = "mmio_ro_ranges",                               \
	[P2MK_POLIN_SPECIAL] = "is_special_page(mfn)",                         \
	[P2MK_POLIN_PINNED] = "hvm_get_mem_pinned_cacheattr()",                \
	[P2MK_POLIN_FULL_CACHEABILITY] =                                       \
	    "CDF_full_cacheability (proposed, xen §8.5)"

/* KVM VMX (x86 §11): vmx_get_mt_mask() and what it consults. */
#define KVM_VMX_NAMES                                                          \
	[P2MK_POLIN_GUEST_MTRR] =                                              \
	    "the vCPU's MTRRs (kvm_mtrr_get_guest_memory_type)",               \
	[P2MK_POLIN_NONCOHERENT_DMA] = "kvm_arch_has_noncoherent_dma(kvm)",    \
	[P2MK_POLIN_GUEST_CD] = "guest CR0.CD (kvm_read_cr0_bits)",            \
	[P2MK_POLIN_CD_NW_QUIRK] = "KVM_X86_QUIRK_CD_NW_CLEARED",              \
	[P2MK_POLIN_SELF_SNOOP] = "X86_FEATURE_SELFSNOOP"

/* KVM arm64 (arm64 §8): user_mem_abort() choosing the stage-2 prot. */
#define KVM_ARM64_NAMES                                                        \
	[P2MK_POLIN_IO_RANGES] = "the memslot's VM_PFNMAP VMA",                \
	[P2MK_POLIN_IO_FLAGS] =                                                \
	    "VMA flags: VM_ALLOW_ANY_UNCACHED, cacheable pgprot",              \
	[P2MK_POLIN_FWB] = "FEAT_S2FWB (stage2_has_fwb)",                      \
	[P2MK_POLIN_DIC] = "CTR_EL0.DIC"

static const struct p2mk_policy_terms terms[] = {
    {&p2mk_policy_xen_ept,
     "Xen",
     "epte_get_entry_emt() (xen §6)",
     "mtrr_get_type() (xen §4)",
     IN(GUEST_MTRR) | IN(HOST_MTRR) | IN(IOMMU) | IN(IO_RANGES) | IN(IO_CAPS) |
         IN(MMIO_RO) | IN(SPECIAL) | IN(PINNED),
     {XEN_EPT_NAMES}},
    {&p2mk_policy_xen_ept_cdf,
     "Xen",
     "epte_get_entry_emt() with CDF_full_cacheability (xen §6, §8.5)",
     "mtrr_get_type() (xen §4)",
     IN(GUEST_MTRR) | IN(HOST_MTRR) | IN(FULL_CACHEABILITY) | IN(MMIO_RO) |
         IN(SPECIAL) | IN(PINNED),
     {XEN_EPT_NAMES}},
    {&p2mk_policy_xen_ept_exact,
     "Xen",
     "epte_get_entry_emt() per 4 KiB page, superpage defect fixed (xen §6, "
     "§16 defect 3)",
     "mtrr_get_type() at order 0 (xen §4)",
     IN(GUEST_MTRR) | IN(HOST_MTRR) | IN(IOMMU) | IN(IO_RANGES) | IN(IO_CAPS) |
         IN(MMIO_RO) | IN(SPECIAL) | IN(PINNED),
     {XEN_EPT_NAMES}},
    {&p2mk_policy_xen_npt,
     "Xen",
     "p2m_type_to_flags() (xen §10, §9.6)",
     NULL,
     IN(MMIO_RO),
     {XEN_EPT_NAMES}},
    {&p2mk_policy_kvm_x86_6_10,
     "KVM",
     "vmx_get_mt_mask() 4.2-6.10 (x86 §11)",
     "kvm_mtrr_get_guest_memory_type() (x86 §11; overlaps resolve to WB, "
     "x86 §5.3)",
     IN(GUEST_MTRR) | IN(NONCOHERENT_DMA) | IN(GUEST_CD) | IN(CD_NW_QUIRK),
     {KVM_VMX_NAMES}},
    {&p2mk_policy_kvm_x86_6_11,
     "KVM",
     "vmx_get_mt_mask() 6.11+ (x86 §11; guest MTRRs never consulted, "
     "0a7b73559b39)",
     NULL,
     IN(NONCOHERENT_DMA),
     {KVM_VMX_NAMES}},
    {&p2mk_policy_kvm_x86_noquirk,
     "KVM",
     "vmx_get_mt_mask() with KVM_X86_QUIRK_IGNORE_GUEST_PAT disabled (x86 "
     "§11, 6.15)",
     NULL,
     IN(NONCOHERENT_DMA) | IN(SELF_SNOOP),
     {KVM_VMX_NAMES}},
    {&p2mk_policy_kvm_svm,
     "KVM",
     "none: KVM on SVM programs no memory type into NPT entries (x86 §9.3)",
     NULL,
     0,
     {KVM_VMX_NAMES}},
    {&p2mk_policy_kvm_arm64_6_8,
     "KVM",
     "user_mem_abort(): !pfn_is_map_memory -> KVM_PGTABLE_PROT_DEVICE "
     "(arm64 §8, <= 6.8)",
     NULL,
     IN(FWB),
     {KVM_ARM64_NAMES}},
    {&p2mk_policy_kvm_arm64_6_9,
     "KVM",
     "user_mem_abort(): VM_ALLOW_ANY_UNCACHED -> KVM_PGTABLE_PROT_NORMAL_NC "
     "(arm64 §8, 6.9)",
     NULL,
     IN(FWB) | IN(IO_RANGES) | IN(IO_FLAGS),
     {KVM_ARM64_NAMES}},
    {&p2mk_policy_kvm_arm64_pfnmap,
     "KVM",
     "user_mem_abort(): cacheable PFNMAP with FWB and DIC (arm64 §8, "
     "kvm-arm64/cacheable-pfnmap)",
     NULL,
     IN(FWB) | IN(DIC) | IN(IO_RANGES) | IN(IO_FLAGS),
     {KVM_ARM64_NAMES}},
    {&p2mk_policy_bhyve,
     "bhyve",
     "pmap_cache_bits() for PT_EPT; vmm_mmio_alloc() VM_MEMATTR_UNCACHEABLE "
     "(landscape §3.8)",
     NULL,
     0,
     {NULL}},
    {&p2mk_policy_acrn,
     "ACRN",
     "ept_add_mr()/ept_modify_mr() with vmtrr.c fixed ranges; pci_pt.c "
     "EPT_UNCACHED BARs (landscape §3.4)",
     "vmtrr.c fixed-range MTRRs (landscape §3.4)",
     IN(GUEST_MTRR) | IN(SPECIAL),
     {[P2MK_POLIN_GUEST_MTRR] = "the vCPU's fixed-range MTRRs (vmtrr.c)",
      [P2MK_POLIN_SPECIAL] = "ivshmem regions (WB | IGNORE_PAT)"}},
    {&p2mk_policy_hafnium,
     "Hafnium",
     "arch_mm_mode_to_stage2_attrs(): MM_MODE_D or Normal WB (landscape "
     "§3.2)",
     NULL,
     0,
     {NULL}},
    {&p2mk_policy_bao,
     "Bao",
     "PTE_VM_FLAGS / PTE_VM_DEV_FLAGS (landscape §3.3)",
     NULL,
     0,
     {NULL}},
};

const struct p2mk_policy_terms *
p2mk_policy_terms_of(const struct p2mk_policy *p)
{
	for (unsigned i = 0; i < sizeof(terms) / sizeof(terms[0]); i++) {
		if (terms[i].policy == p)
			return &terms[i];
	}
	return NULL;
}
