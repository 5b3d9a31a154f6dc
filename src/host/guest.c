// SPDX-License-Identifier: BSD-2-Clause
/*
 * The guest-aware audit.  Inside a VM the MTRRs and PAT the audit reads are
 * the guest's; what reaches hardware is decided by the hypervisor's second
 * stage: on Intel the EPT leaf's EMT and IPAT with guest MTRRs ignored
 * (x86 §8.2 rule 4), on AMD the nested PTE's host PAT type combined with
 * the guest PAT and then the host MTRR, with guest MTRRs meaningless
 * (x86 §9.1-§9.3).  This file says which hypervisor runs the guest, asks
 * that hypervisor's policy (src/policy) what it makes of each range, and
 * explains the Xen platform PCI device, whose BAR holds the grant table
 * (xen §13.3).
 */
#include "host/host_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/policy.h>

/* The Xen platform PCI device (QEMU's xen-platform, XenSource vendor). */
#define XEN_PLATFORM_VENDOR 0x5853u
/* virtio-pci devices: register BARs the device model emulates. */
#define VIRTIO_VENDOR 0x1af4u
/* QEMU's standard VGA: BAR 0 is VRAM, guest RAM in the device model. */
#define STDVGA_VENDOR 0x1234u
#define STDVGA_DEVICE 0x1111u

const char *p2mk_host_hv_name(enum p2mk_host_hv hv)
{
	switch (hv) {
	case P2MK_HOST_HV_NONE:
		return "none";
	case P2MK_HOST_HV_UNKNOWN:
		return "unknown";
	case P2MK_HOST_HV_XEN:
		return "xen";
	case P2MK_HOST_HV_KVM:
		return "kvm";
	case P2MK_HOST_HV_HYPERV:
		return "hyperv";
	case P2MK_HOST_HV_VMWARE:
		return "vmware";
	}
	return "?";
}

static void add_ev(struct p2mk_host_guest *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_ev(struct p2mk_host_guest *g, const char *fmt, ...)
{
	size_t n = strlen(g->evidence);
	if (n > 0 && n + 2 < sizeof(g->evidence)) {
		memcpy(g->evidence + n, ", ", 3);
		n += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	// NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized)
	vsnprintf(g->evidence + n, sizeof(g->evidence) - n, fmt, ap);
	va_end(ap);
}

static void vote(enum p2mk_host_hv *hv, enum p2mk_host_hv v)
{
	/* The first clear sign wins; the order of the checks is the
	 * order of trust. */
	if (*hv == P2MK_HOST_HV_NONE)
		*hv = v;
}

/* DMI strings firmware of each hypervisor writes (SMBIOS type 1/0). */
static enum p2mk_host_hv hv_from_dmi(const struct p2mk_host_guest *g)
{
	if (strcmp(g->dmi_vendor, "Xen") == 0 ||
	    strcmp(g->dmi_bios, "Xen") == 0)
		return P2MK_HOST_HV_XEN;
	if (strcmp(g->dmi_vendor, "QEMU") == 0 ||
	    strncmp(g->dmi_vendor, "Google", 6) == 0 ||
	    strcmp(g->dmi_bios, "Amazon EC2") == 0)
		return P2MK_HOST_HV_KVM;
	if (strcmp(g->dmi_vendor, "Microsoft Corporation") == 0 &&
	    strcmp(g->dmi_product, "Virtual Machine") == 0)
		return P2MK_HOST_HV_HYPERV;
	if (strncmp(g->dmi_vendor, "VMware", 6) == 0)
		return P2MK_HOST_HV_VMWARE;
	return P2MK_HOST_HV_NONE;
}

static enum p2mk_host_hv hv_from_clock(const char *cs)
{
	if (strcmp(cs, "xen") == 0)
		return P2MK_HOST_HV_XEN;
	if (strcmp(cs, "kvm-clock") == 0)
		return P2MK_HOST_HV_KVM;
	if (strncmp(cs, "hyperv", 6) == 0)
		return P2MK_HOST_HV_HYPERV;
	return P2MK_HOST_HV_NONE;
}

static int find_xen_platform(const struct p2mk_host *h)
{
	for (size_t i = 0; i < h->nbars; i++) {
		const struct p2mk_host_bar *b = &h->bars[i];
		if (b->ids_known && b->vendor == XEN_PLATFORM_VENDOR &&
		    b->index < P2MK_HOST_ROM_INDEX)
			return (int)i;
	}
	return -1;
}

static const struct p2mk_policy *policy_for(const struct p2mk_host *h)
{
	bool intel = h->cpu.vendor == P2MK_HOST_VENDOR_INTEL;
	bool amd = h->cpu.vendor == P2MK_HOST_VENDOR_AMD;
	const char *name = NULL;
	if (h->guest.hv == P2MK_HOST_HV_XEN)
		name = intel ? "xen-ept" : amd ? "xen-npt" : NULL;
	else if (h->guest.hv == P2MK_HOST_HV_KVM)
		name = intel ? "kvm-x86-6.11" : amd ? "kvm-svm" : NULL;
	return name != NULL ? p2mk_policy_find(name) : NULL;
}

void p2mk_host_guest_identify(struct p2mk_host *h)
{
	struct p2mk_host_guest *g = &h->guest;
	enum p2mk_host_hv hv = P2MK_HOST_HV_NONE;
	g->evidence[0] = '\0';
	g->xen_platform_bar = find_xen_platform(h);
	if (h->cpu.hypervisor)
		add_ev(g, "CPUID hypervisor bit (cpuinfo flag)");
	if (strcmp(g->hv_type, "xen") == 0) {
		add_ev(g, "sys/hypervisor/type = xen");
		vote(&hv, P2MK_HOST_HV_XEN);
	}
	if (g->xen_platform_bar >= 0) {
		add_ev(g, "Xen platform PCI device at %s",
		       h->bars[g->xen_platform_bar].bdf);
		vote(&hv, P2MK_HOST_HV_XEN);
	}
	enum p2mk_host_hv c = hv_from_clock(g->clocksource);
	if (c != P2MK_HOST_HV_NONE) {
		add_ev(g, "clocksource %s", g->clocksource);
		vote(&hv, c);
	}
	enum p2mk_host_hv d = hv_from_dmi(g);
	if (d != P2MK_HOST_HV_NONE) {
		add_ev(g, "DMI %s / %s / %s", g->dmi_vendor, g->dmi_product,
		       g->dmi_bios);
		vote(&hv, d);
	}
	if (hv == P2MK_HOST_HV_NONE && h->cpu.hypervisor)
		hv = P2MK_HOST_HV_UNKNOWN;
	g->hv = hv;
	g->policy = policy_for(h);
}

/* ---- what the hypervisor makes of each range ---------------------------- */

/* The p2m type the hypervisor gives a range, and what it is. */
static void classify(const struct p2mk_host *h, const struct p2mk_host_range *r,
                     struct p2mk_host_hvview *v, bool *special)
{
	*special = false;
	v->host_mtrr = P2MK_MT_WB;
	if (r->bar < 0) {
		v->p2mt = P2MK_P2M_RAM_RW;
		v->what = "RAM";
		return;
	}
	const struct p2mk_host_bar *b = &h->bars[r->bar];
	if (r->bar == h->guest.xen_platform_bar) {
		/* Grant frames are Xen heap pages the guest maps into
		 * this BAR (xen §6 row 3, §13.3). */
		v->p2mt = P2MK_P2M_RAM_RW;
		*special = true;
		v->what = "grant table (Xen heap pages)";
	} else if (b->ids_known && b->vendor == VIRTIO_VENDOR) {
		v->p2mt = P2MK_P2M_MMIO_DM;
		v->what = "virtio registers, emulated: each access exits to "
		          "the device model";
	} else if (b->ids_known && b->vendor == STDVGA_VENDOR &&
	           b->device == STDVGA_DEVICE && b->index == 0) {
		v->p2mt = P2MK_P2M_RAM_RW;
		v->what = "VGA VRAM: guest RAM of the device model";
	} else {
		v->p2mt = P2MK_P2M_MMIO_DIRECT;
		v->host_mtrr = P2MK_MT_UC;
		v->what = "device memory if assigned (passthrough); an "
		          "emulated BAR has no memory type";
	}
}

/* A vCPU MTRR state for the policy: the guest's, or hvmloader's WB. */
static void vcpu_state(const struct p2mk_host *h, struct p2mk_mtrr_state *s)
{
	if (h->mtrr_origin != P2MK_HOST_MTRR_NONE) {
		*s = h->state;
		return;
	}
	const struct p2mk_mtrr_config cfg = {8, 46, true, true};
	(void)p2mk_mtrr_init(s, &cfg);
	(void)p2mk_mtrr_wrmsr(s, P2MK_MSR_MTRR_DEF_TYPE,
	                      P2MK_MTRR_DEF_E | P2MK_MT_WB, NULL);
}

static void decide(const struct p2mk_host *h, const struct p2mk_host_range *r,
                   struct p2mk_host_hvview *v)
{
	const struct p2mk_policy *pol = h->guest.policy;
	bool special;
	classify(h, r, v, &special);
	struct p2mk_p2m_config cfg = {.arch = pol->arch, .nvcpus = 1};
	unsigned pb = h->cpu.phys_bits;
	cfg.paddr_bits = (uint8_t)(pb < 32 ? 46 : pb > 52 ? 52 : pb);
	struct p2mk_mtrr_state vcpu;
	vcpu_state(h, &vcpu);
	/* One frame stands for the block; where it lives on the host is
	 * not visible from the guest and does not change the branch. */
	const struct p2mk_mfn_range blk = {p2mk_mfn(0x100000), 1};
	const struct p2mk_io_range io = {blk, 0};
	bool mmio = v->p2mt == P2MK_P2M_MMIO_DIRECT;
	const struct p2mk_policy_view view = {
	    .cfg = &cfg,
	    .vcpu_mtrr = &vcpu,
	    .io = &io,
	    .special = &blk,
	    .nio = mmio ? 1 : 0,
	    .nspecial = special ? 1 : 0,
	    .cur_vcpu = -1,
	};
	const struct p2mk_policy_query q = {
	    .type = (enum p2mk_p2mt)v->p2mt,
	    .order = 0,
	    .gfn = p2mk_gpa_to_gfn(p2mk_gpa(r->start)),
	    .mfn = blk.first,
	};
	struct p2mk_policy_out o = {0};
	pol->decide(&view, &q, &o);
	v->known = true;
	v->ept = pol->arch == P2MK_ARCH_X86_EPT;
	v->present = o.kind == P2MK_POL_TYPE;
	v->emt = (uint8_t)o.emt;
	v->ipat = o.ipat;
	v->hpat_type = (uint8_t)o.hpat_type;
	v->hpat_index = o.hpat_index;
	v->branch = o.branch;
	v->cite = o.cite;
}

/* What the hardware makes of guest PAT type @gpat through @v. */
static struct p2mk_mt_result through(const struct p2mk_host_hvview *v,
                                     unsigned gpat)
{
	if (v->ept)
		return p2mk_ept_effective(v->emt, v->ipat, gpat, false);
	return p2mk_npt_effective(gpat, v->hpat_type, v->host_mtrr);
}

/** host_guest_decide() - the hypervisor's answer for every range and PAT
 * mapping, when the policy is known. */
void host_guest_decide(struct p2mk_host *h)
{
	if (h->guest.policy == NULL)
		return;
	for (size_t i = 0; i < h->nranges; i++) {
		struct p2mk_host_range *r = &h->ranges[i];
		decide(h, r, &r->hv);
		for (size_t k = 0; k < r->eff_count && r->hv.present; k++) {
			struct p2mk_host_eff *f = &h->effs[r->eff_first + k];
			f->hv_result = through(&r->hv, f->pat);
			f->hv_known = f->hv_result.status == P2MK_MT_OK;
		}
	}
}
