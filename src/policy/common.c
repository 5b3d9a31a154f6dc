// SPDX-License-Identifier: BSD-2-Clause
/*
 * Pieces shared by the policies: the registry, Xen's own MTRR lookup and
 * guest x host combination (restated from xen §4 and §6, not from Xen's
 * code), pinned-range lookup (xen §7), and view helpers.
 */
#include <p2mkit/memtype.h>
#include <p2mkit/policy.h>

#include "internal.h"

static const struct p2mk_policy *const all_policies[] = {
    &p2mk_policy_xen_ept,
    &p2mk_policy_xen_ept_cdf,
    &p2mk_policy_xen_ept_exact,
    &p2mk_policy_xen_npt,
    &p2mk_policy_kvm_x86_6_10,
    &p2mk_policy_kvm_x86_6_11,
    &p2mk_policy_kvm_x86_noquirk,
    &p2mk_policy_kvm_svm,
    &p2mk_policy_bhyve,
    &p2mk_policy_acrn,
    &p2mk_policy_kvm_arm64_6_8,
    &p2mk_policy_kvm_arm64_6_9,
    &p2mk_policy_kvm_arm64_pfnmap,
    &p2mk_policy_hafnium,
    &p2mk_policy_bao,
};

#define NPOLICIES (sizeof(all_policies) / sizeof(all_policies[0]))

static bool streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

unsigned p2mk_policy_count(void)
{
	return (unsigned)NPOLICIES;
}

const struct p2mk_policy *p2mk_policy_at(unsigned i)
{
	return i < NPOLICIES ? all_policies[i] : NULL;
}

const struct p2mk_policy *p2mk_policy_find(const char *name)
{
	for (unsigned i = 0; i < NPOLICIES; i++) {
		if (streq(name, all_policies[i]->name))
			return all_policies[i];
	}
	return NULL;
}

/* ---- Xen's mtrr_get_type (xen §4) ------------------------------------ */

static bool var_valid(const struct p2mk_mtrr_var *r)
{
	return (r->mask & P2MK_MTRR_MASK_V) != 0;
}

/* Frame-number part of a PHYSBASE/PHYSMASK value (bits M-1:12). */
static uint64_t frames(uint64_t msr_value)
{
	return p2mk_pa_to_frame(msr_value);
}

bool p2mk_xen_var_overlapped(const struct p2mk_mtrr_state *m)
{
	unsigned n = p2mk_mtrr_vcnt(m);
	for (unsigned i = 0; i < n; i++) {
		if (!var_valid(&m->var[i]))
			continue;
		for (unsigned j = i + 1; j < n; j++) {
			if (!var_valid(&m->var[j]))
				continue;
			uint64_t mm =
			    frames(m->var[i].mask) & frames(m->var[j].mask);
			if ((frames(m->var[i].base) & mm) ==
			    (frames(m->var[j].base) & mm))
				return true;
		}
	}
	return false;
}

/*
 * Step 3 of xen §4: a fixed-range segment answers a block only if the
 * block is no larger than the segment's granularity (64 KiB = order 4
 * below 512 KiB, 16 KiB = order 2 up to 768 KiB, 4 KiB above).
 */
static int xen_fixed(const struct p2mk_mtrr_state *m, uint64_t pa,
                     unsigned order)
{
	unsigned max_order;
	if (pa < 0x80000)
		max_order = 4;
	else if (pa < 0xc0000)
		max_order = 2;
	else
		max_order = 0;
	if (order > max_order)
		return -1;
	/* Guest or host alike: the index depends on the address only. */
	return m->fixed[p2mk_mtrr_fixed_index(p2mk_gpa(pa))];
}

/* xen §4 for @pa in whichever space @m describes. */
static int xen_get_type(const struct p2mk_mtrr_state *m, uint64_t pa,
                        unsigned order)
{
	/* Step 1: MTRRs disabled -> UC everywhere. */
	if ((m->def_type & P2MK_MTRR_DEF_E) == 0)
		return P2MK_MT_UC;
	if (order > 40)
		order = 40;
	/* Step 2: align down to the block. */
	uint64_t pfn = p2mk_pa_to_frame(pa) & ~(p2mk_order_frames(order) - 1);
	pa = p2mk_frame_to_pa(pfn);
	/* Step 3: fixed ranges (FE on and implemented). */
	if (pa < 0x100000 && (m->def_type & P2MK_MTRR_DEF_FE) != 0 &&
	    (m->cap & P2MK_MTRRCAP_FIX) != 0)
		return xen_fixed(m, pa, order);
	/*
	 * Step 4: variable ranges.  The mask is cut below the block size,
	 * so a range smaller than the block but inside it matches (xen §16
	 * defect 3) -- reproduced on purpose.
	 */
	bool collect = order > 0 || p2mk_xen_var_overlapped(m);
	unsigned seen = 0, last = 0;
	uint64_t block_mask = ~((UINT64_C(1) << order) - 1);
	for (unsigned i = 0; i < p2mk_mtrr_vcnt(m); i++) {
		const struct p2mk_mtrr_var *r = &m->var[i];
		if (!var_valid(r))
			continue;
		uint64_t mask = frames(r->mask) & block_mask;
		if ((pfn & mask) != (frames(r->base) & mask))
			continue;
		unsigned type = (unsigned)(r->base & 0xff);
		if (!collect)
			return (int)type;
		seen |= 1u << type;
		last = type;
	}
	if (seen == 0) /* step 5 */
		return (int)(m->def_type & P2MK_MTRR_DEF_TYPE_MASK);
	if ((seen & (seen - 1)) == 0) /* step 6 */
		return (int)last;
	if (order > 0) /* step 7 */
		return -1;
	/* Step 8: order 0 with several types. */
	if (seen & (1u << P2MK_MT_UC))
		return P2MK_MT_UC;
	if (seen == ((1u << P2MK_MT_WT) | (1u << P2MK_MT_WB)))
		return P2MK_MT_WT;
	return (int)last;
}

int p2mk_xen_mtrr_get_type(const struct p2mk_mtrr_state *m, p2mk_gpa_t gpa,
                           unsigned order)
{
	return xen_get_type(m, gpa.v, order);
}

int p2mk_xen_mtrr_get_type_host(const struct p2mk_mtrr_state *m, p2mk_hpa_t hpa,
                                unsigned order)
{
	return xen_get_type(m, hpa.v, order);
}

enum p2mk_mt p2mk_xen_combine_emt(enum p2mk_mt g, enum p2mk_mt h)
{
	/* xen §6 row 7, in the order the spec lists the rules. */
	if (g == h)
		return h;
	if (g == P2MK_MT_UC || h == P2MK_MT_UC)
		return P2MK_MT_UC;
	if (g == P2MK_MT_WB)
		return h;
	if (h == P2MK_MT_WB)
		return g;
	if ((g == P2MK_MT_WT && h == P2MK_MT_WP) ||
	    (g == P2MK_MT_WP && h == P2MK_MT_WT))
		return P2MK_MT_WP;
	return P2MK_MT_UC;
}

int p2mk_xen_pinned_lookup(const struct p2mk_policy_view *v, p2mk_gfn_t gfn,
                           unsigned order)
{
	uint64_t span = p2mk_order_frames(order) - 1;
	uint64_t first = gfn.v & ~span, last = gfn.v | span;
	for (unsigned i = 0; i < v->npinned; i++) {
		const struct p2mk_pinned *p = &v->pinned[i];
		uint64_t start = p->gfn.v, end = p->gfn.v + (p->count - 1);
		if (first >= start && last <= end)
			return (int)p->type;
		if (first <= end && last >= start)
			return -2; /* -EADDRNOTAVAIL: partly covered */
	}
	return -1; /* -ENXIO */
}

bool p2mk_view_io_flags(const struct p2mk_policy_view *v, p2mk_mfn_t mfn,
                        unsigned order, uint32_t *flags)
{
	uint64_t first = mfn.v, last = mfn.v + (p2mk_order_frames(order) - 1);
	*flags = 0;
	for (unsigned i = 0; i < v->nio; i++) {
		const struct p2mk_mfn_range *r = &v->io[i].mfns;
		uint64_t rl = p2mk_mfn_range_last(r).v;
		if (first >= r->first.v && last <= rl) {
			*flags = v->io[i].flags;
			return true;
		}
		if (first <= rl && last >= r->first.v)
			return false;
	}
	return true;
}

const struct p2mk_mtrr_state *
p2mk_view_guest_mtrr(const struct p2mk_policy_view *v)
{
	if (v->cfg->nvcpus == 0 || v->vcpu_mtrr == NULL)
		return NULL;
	if (v->cur_vcpu >= 0 && (unsigned)v->cur_vcpu < v->cfg->nvcpus)
		return &v->vcpu_mtrr[v->cur_vcpu];
	return &v->vcpu_mtrr[0];
}

const char *p2mk_s2attr_name(unsigned attr, bool fwb)
{
	static const char *const dev[4] = {"Device-nGnRnE", "Device-nGnRE",
	                                   "Device-nGRE", "Device-GRE"};
	if (fwb) {
		/* arm64 §4: MemAttr[2:0] with FWB. */
		switch (attr & 0xf) {
		case 0x5:
			return "Normal-NC (FWB)";
		case 0x6:
			return "Normal-WB forced (FWB)";
		case 0x7:
			return "as stage 1 (FWB)";
		case 0x4:
			return "reserved (FWB)";
		default:
			return (attr & 0xc) == 0 ? dev[attr & 3] : "reserved";
		}
	}
	/* arm64 §3: MemAttr[3:2] outer, [1:0] inner. */
	if ((attr & 0xc) == 0)
		return dev[attr & 3];
	switch (attr & 0xf) {
	case 0x5:
		return "Normal-NC";
	case 0xa:
		return "Normal-WT";
	case 0xf:
		return "Normal-WB";
	default:
		return "Normal (mixed inner/outer)";
	}
}

/* Append @s to buf[*pos..] (bounded), counting the full length. */
static void put(char *buf, size_t len, size_t *pos, const char *s)
{
	for (; *s != '\0'; s++, (*pos)++) {
		if (*pos + 1 < len)
			buf[*pos] = *s;
	}
}

size_t p2mk_policy_out_str(enum p2mk_arch arch, const struct p2mk_policy_out *o,
                           char *buf, size_t len)
{
	size_t pos = 0;
	char idx[2] = {0, 0};
	switch (o->kind) {
	case P2MK_POL_MIXED:
		put(buf, len, &pos, "split");
		break;
	case P2MK_POL_REFUSED:
		put(buf, len, &pos, "refused");
		break;
	case P2MK_POL_NONE:
		put(buf, len, &pos, "-");
		break;
	default:
		if (arch == P2MK_ARCH_X86_EPT) {
			put(buf, len, &pos, p2mk_mt_name(o->emt));
			if (o->ipat)
				put(buf, len, &pos, "+IPAT");
		} else if (arch == P2MK_ARCH_X86_NPT) {
			idx[0] = (char)('0' + (o->hpat_index & 7));
			put(buf, len, &pos, "hPAT");
			put(buf, len, &pos, idx);
			put(buf, len, &pos, " ");
			put(buf, len, &pos, p2mk_mt_name(o->hpat_type));
		} else {
			put(buf, len, &pos,
			    p2mk_s2attr_name(o->s2attr, o->fwb));
		}
		break;
	}
	if (len > 0)
		buf[pos < len ? pos : len - 1] = '\0';
	return pos;
}

void p2mk_xen_hvm_save_mtrr(const struct p2mk_mtrr_state *m,
                            struct p2mk_mtrr_record *rec)
{
	/* Everything but the variable pairs is saved correctly. */
	p2mk_mtrr_save(m, rec);
	for (unsigned i = 0; i < P2MK_MTRR_VCNT_MAX; i++) {
		bool used = i < p2mk_mtrr_vcnt(m);
		/* xen §16 defect 1: element 0 instead of element i. */
		rec->var_base[i] = used ? m->var[0].base : 0;
		rec->var_mask[i] = used ? m->var[0].mask : 0;
	}
}

/*
 * KVM VMX from 6.11 on: guest MTRR writes change nothing; only (un)registering
 * non-coherent DMA (device assignment) zaps every SPTE (x86 §11).  Shared by
 * kvm-x86-6.11 and kvm-x86-noquirk.
 */
bool p2mk_pol_kvm_vmx_resync(const struct p2mk_policy_view *v,
                             const struct p2mk_mt_event *ev, const char **why)
{
	(void)v;
	if (ev->kind == P2MK_EV_DEV_ASSIGN ||
	    ev->kind == P2MK_EV_DEV_DEASSIGN || ev->kind == P2MK_EV_CONFIG) {
		*why = "(un)registering non-coherent DMA zaps all SPTEs "
		       "(x86 §11)";
		return true;
	}
	*why = "guest MTRRs have zero impact since 6.11 (x86 §11)";
	return false;
}

/*
 * The start of every KVM VMX policy (x86 §11): an absent entry has no type,
 * and passthrough MMIO (kvm_is_mmio_pfn(): no struct page) is UC without
 * IPAT, so the guest can still choose WC.  True when *@o is decided; @cite
 * names the kernel row the caller reproduces.
 */
bool p2mk_pol_kvm_vmx_absent_or_mmio(const struct p2mk_policy_query *q,
                                     struct p2mk_policy_out *o,
                                     const char *cite)
{
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "x86 §11");
		return true;
	}
	if (q->type == P2MK_P2M_MMIO_DIRECT) {
		pol_ept(o, P2MK_MT_UC, false, "MMIO: UC", cite);
		return true;
	}
	return false;
}

/*
 * The start of the KVM arm64 policies from 6.9 on (arm64 §8): an absent
 * entry has no type, memory is Normal-WB, and an MMIO block that spans BARs
 * with different flags must be split.  True when *@o is decided; otherwise
 * *@flags holds the block's P2MK_IO_* flags for the caller's device rule.
 */
bool p2mk_pol_kvm_arm64_memory(const struct p2mk_policy_view *v,
                               const struct p2mk_policy_query *q,
                               struct p2mk_policy_out *o, uint32_t *flags)
{
	bool fwb = v->cfg->fwb;
	*o = (struct p2mk_policy_out){0};
	if (!p2mk_p2mt_present(q->type)) {
		pol_kind(o, P2MK_POL_NONE, "not present", "arm64 §8");
		return true;
	}
	if (q->type != P2MK_P2M_MMIO_DIRECT) {
		pol_s2(o, fwb ? P2MK_S2_FWB_NORMAL_WB : P2MK_S2_NORMAL_WB, fwb,
		       "memory: Normal-WB", "arm64 §8");
		return true;
	}
	if (!p2mk_view_io_flags(v, q->mfn, q->order, flags)) {
		pol_kind(o, P2MK_POL_MIXED, "block spans BARs: split",
		         "arm64 §8");
		return true;
	}
	return false;
}
