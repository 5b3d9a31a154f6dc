// SPDX-License-Identifier: BSD-2-Clause
/*
 * Findings of the guest-aware audit (guest.c decides, this file explains):
 * which hypervisor and second stage the types go through, the Xen grant
 * table in the platform PCI BAR with its effective type and fix (xen
 * §13.3), the KVM version assumption (x86 §11), and the one command that
 * would let the audit see more.
 */
#include "host/host_internal.h"

#include <stdio.h>
#include <string.h>

#include <p2mkit/policy.h>

static const char *hv_title(enum p2mk_host_hv hv)
{
	switch (hv) {
	case P2MK_HOST_HV_XEN:
		return "Xen HVM";
	case P2MK_HOST_HV_KVM:
		return "KVM";
	case P2MK_HOST_HV_HYPERV:
		return "Hyper-V";
	case P2MK_HOST_HV_VMWARE:
		return "VMware";
	default:
		return "unidentified";
	}
}

static void view_finding(struct p2mk_host *h)
{
	const struct p2mk_host_guest *g = &h->guest;
	const struct p2mk_policy *pol = g->policy;
	if (g->hv == P2MK_HOST_HV_NONE)
		return;
	if (pol == NULL) {
		host_finding(h, P2MK_HOST_INFO, "guest-view", -1,
		             "running under a hypervisor (%s guest; evidence: "
		             "%s): these are the guest's MTRRs and PAT; the "
		             "final type also depends on the host's EPT/NPT "
		             "memory type (x86 §8, §9), and p2mkit has no "
		             "policy for this hypervisor and CPU vendor",
		             hv_title(g->hv), g->evidence);
		return;
	}
	bool ept = pol->arch == P2MK_ARCH_X86_EPT;
	host_finding(
	    h, P2MK_HOST_INFO, "guest-view", -1,
	    "running in a %s guest on %s (evidence: %s): the MTRRs and PAT "
	    "above are the guest's; %s. Each range shows what policy %s "
	    "makes of it ('hypervisor' in JSON)",
	    hv_title(g->hv), ept ? "Intel EPT" : "AMD NPT", g->evidence,
	    ept ? "the memory type that reaches hardware is the EPT leaf's "
	          "EMT, combined with the guest PAT unless IPAT is set; guest "
	          "MTRRs play no part (x86 §8.2)"
	        : "the guest PAT type is combined with the host PAT type of "
	          "the nested PTE, then with the host MTRR; guest MTRRs have "
	          "no hardware meaning (x86 §9.1, §9.3)",
	    pol->name);
}

/* The guest PAT type of the grant-table mapping, and on what it rests. */
static unsigned grant_gpat(const struct p2mk_host *h,
                           const struct p2mk_host_range *r, char *basis,
                           size_t bsz)
{
	for (size_t k = 0; k < r->eff_count; k++) {
		const struct p2mk_host_eff *f = &h->effs[r->eff_first + k];
		if (f->start == r->start) {
			snprintf(basis, bsz,
			         "the guest kernel maps it %s "
			         "(pat_memtype_list line %u)",
			         p2mk_mt_name(f->pat),
			         h->pat_maps[f->map].line);
			return f->pat;
		}
	}
	const struct p2mk_host_seg *s =
	    r->seg_count > 0 ? &h->segs[r->seg_first] : NULL;
	if (s != NULL && s->kind == P2MK_HOST_MK_TYPE) {
		unsigned t = s->type == P2MK_MT_WB ? P2MK_MT_WB : P2MK_MT_UCM;
		snprintf(
		    basis, bsz,
		    "predicted (no PAT list): the guest's %s MTRR over the "
		    "BAR makes Linux's memremap WB request %s",
		    p2mk_mt_name(s->type), p2mk_mt_name(t));
		return t;
	}
	snprintf(basis, bsz,
	         "predicted (no PAT list, guest MTRR type not visible): UC-, "
	         "as under hvmloader's default UC cover of the PCI hole");
	return P2MK_MT_UCM;
}

static void grant_text(const struct p2mk_host_range *r, unsigned gpat,
                       const struct p2mk_mt_result *res, char *out,
                       size_t outsz)
{
	const struct p2mk_host_hvview *v = &r->hv;
	const char *g = p2mk_mt_name(gpat), *e = p2mk_mt_name(res->type);
	if (!v->ept) {
		struct p2mk_mt_result gh =
		    p2mk_npt_guest_host(gpat, v->hpat_type);
		snprintf(
		    out, outsz,
		    "on AMD NPT Xen maps these frames with hPAT%u %s and "
		    "has no IPAT (%s): guest %s x host %s = %s "
		    "(x86 §9.2), host MTRR WB: effective %s%s. Guest MTRRs "
		    "never reach hardware under NPT: they matter because "
		    "the guest kernel derives its PAT request from them. "
		    "Fix: xl.cfg xen_platform_pci_bar_uc=0 (Xen 22650d6054) "
		    "makes hvmloader place the BAR outside the UC MTRR "
		    "cover, so memremap asks for WB (xen §13.3). Check: "
		    "p2mkit explain --policy xen-npt --type ram_rw "
		    "--host-mtrr WB --guest-pat %s",
		    v->hpat_index, p2mk_mt_name(v->hpat_type), v->cite, g,
		    p2mk_mt_name(v->hpat_type), p2mk_mt_name(gh.type), e,
		    res->verified ? "" : " (UNVERIFIED cell)", g);
		return;
	}
	snprintf(out, outsz,
	         "on Intel EPT Xen gives these pages EMT %s%s (%s, %s): the "
	         "guest's %s is %s, effective %s. Nothing to fix here; on AMD "
	         "the same guest gets CD unless xen_platform_pci_bar_uc=0 "
	         "(xen §13.3). Check: p2mkit explain --policy xen-ept --type "
	         "ram_rw --special --guest-pat %s",
	         p2mk_mt_name(v->emt), v->ipat ? " with IPAT" : "", v->branch,
	         v->cite, g, v->ipat ? "ignored" : "combined with it", e, g);
}

static void grant_finding(struct p2mk_host *h)
{
	int bi = h->guest.xen_platform_bar;
	int ri = -1;
	for (size_t i = 0; bi >= 0 && i < h->nranges; i++)
		ri = h->ranges[i].bar == bi ? (int)i : ri;
	if (ri < 0)
		return;
	const struct p2mk_host_range *r = &h->ranges[ri];
	char basis[192], how[640];
	unsigned gpat = grant_gpat(h, r, basis, sizeof(basis));
	struct p2mk_mt_result res = {0};
	bool known = r->hv.known && r->hv.present;
	if (known) {
		res = r->hv.ept ? p2mk_ept_effective(r->hv.emt, r->hv.ipat,
		                                     gpat, false)
		                : p2mk_npt_effective(gpat, r->hv.hpat_type,
		                                     r->hv.host_mtrr);
		grant_text(r, gpat, &res, how, sizeof(how));
	} else {
		snprintf(how, sizeof(how),
		         "the CPU vendor is not known, so the effective type "
		         "is not computed (Intel EPT: WB with IPAT; AMD NPT: "
		         "guest UC- gives CD, xen §13.3)");
	}
	bool slow = known && p2mk_mt_class(res.type) != P2MK_CACHED;
	host_finding(h, slow ? P2MK_HOST_WARNING : P2MK_HOST_INFO,
	             "xen-grant-table", ri,
	             "%s is the Xen platform PCI device's memory BAR (vendor "
	             "0x5853): it holds the grant table, which Linux maps "
	             "from its first frame with memremap, not a framebuffer; "
	             "%s; %s",
	             r->name, basis, how);
}

static void kvm_finding(struct p2mk_host *h)
{
	const struct p2mk_policy *pol = h->guest.policy;
	if (h->guest.hv != P2MK_HOST_HV_KVM || pol == NULL ||
	    pol->arch != P2MK_ARCH_X86_EPT)
		return;
	host_finding(h, P2MK_HOST_INFO, "kvm-version-assumed", -1,
	             "the host's KVM version is not visible from the guest: "
	             "%s is assumed (RAM WB with IPAT unless a device without "
	             "snoop control is assigned, MMIO UC, guest MTRRs never "
	             "consulted; x86 §11). Up to 6.10, with non-coherent DMA, "
	             "the guest MTRRs type RAM: p2mkit explain --policy "
	             "kvm-x86-6.10 --type ram_rw --noncoherent-dma",
	             pol->name);
}

/* The one command that would let the audit see the most. */
static void next_step(struct p2mk_host *h)
{
	const struct p2mk_host_source *s = h->src;
	const char *cmd = NULL, *why = NULL;
	if (h->cpu.vendor == P2MK_HOST_VENDOR_NOT_X86)
		return;
	if (s[P2MK_HOST_SRC_IOMEM].status == P2MK_HOST_UNUSABLE ||
	    s[P2MK_HOST_SRC_PAT_LIST].status == P2MK_HOST_DENIED) {
		cmd = "sudo p2mkit host";
		why =
		    "as root, /proc/iomem shows addresses and debugfs the PAT "
		    "type of every mapping";
	} else if (s[P2MK_HOST_SRC_PAT_LIST].status == P2MK_HOST_NO_DEBUGFS) {
		cmd = "mount -t debugfs none /sys/kernel/debug (as root), then "
		      "p2mkit host";
		why =
		    "pat_memtype_list gives the PAT type the kernel chose for "
		    "every mapping, so each effective type is computed, not "
		    "predicted";
	} else if (h->mtrr_origin != P2MK_HOST_MTRR_MSR &&
	           s[P2MK_HOST_SRC_MSR].status == P2MK_HOST_MISSING) {
		cmd = "modprobe msr (as root), then p2mkit host";
		why =
		    "the MSRs give the MTRR default type, the fixed ranges and "
		    "IA32_PAT, which /proc/mtrr does not show";
	}
	if (cmd != NULL)
		host_finding(h, P2MK_HOST_INFO, "next-step", -1,
		             "to see more: %s (%s)", cmd, why);
}

/** host_guest_findings() - the guest findings and the next step. */
void host_guest_findings(struct p2mk_host *h)
{
	view_finding(h);
	grant_finding(h);
	kvm_finding(h);
	next_step(h);
}

/** host_is_grant_bar() - true for the range of the Xen platform BAR. */
bool host_is_grant_bar(const struct p2mk_host *h, int ri)
{
	return h->guest.xen_platform_bar >= 0 &&
	       h->ranges[ri].bar == h->guest.xen_platform_bar;
}
