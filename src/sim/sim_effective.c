// SPDX-License-Identifier: BSD-2-Clause
/*
 * sim: the effective type of a typical guest access to a frame -- what
 * the guest OS asks for (its PAT type or stage-1 attribute, from how it
 * maps the range) combined with what the second stage holds -- and which
 * layer decided it (docs/run.md "decided_by").
 */
#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>

#include "sim/sim_internal.h"

/* The guest PAT type a Linux/Windows mapping asks for (x86 §6, §11;
 * landscape §5 item 6 for memremap deriving UC- from a non-WB MTRR). */
static unsigned guest_pat(const struct sim *m, uint64_t gfn, unsigned map,
                          char *how, size_t len)
{
	switch (map) {
	case P2MK_SC_MAP_MEMREMAP: {
		struct p2mk_mtrr_lookup l = p2mk_mtrr_lookup(
		    &m->p2m.vcpu[0], p2mk_gfn_to_gpa(p2mk_gfn(gfn)), 0,
		    P2MK_OVERLAP_LINUX);
		bool wb = l.kind == P2MK_LOOKUP_TYPE && l.type == P2MK_MT_WB;
		snprintf(how, len, "memremap: guest MTRR %s -> PAT %s",
		         l.kind == P2MK_LOOKUP_TYPE ? p2mk_mt_name(l.type)
		                                    : "?",
		         wb ? "WB" : "UC-");
		return wb ? P2MK_MT_WB : P2MK_MT_UCM;
	}
	case P2MK_SC_MAP_IOREMAP:
		snprintf(how, len, "ioremap: PAT UC-");
		return P2MK_MT_UCM;
	case P2MK_SC_MAP_IOREMAP_WC:
		snprintf(how, len, "ioremap_wc: PAT WC");
		return P2MK_MT_WC;
	case P2MK_SC_MAP_IOREMAP_UC:
		snprintf(how, len, "ioremap_uc: PAT UC");
		return P2MK_MT_UC;
	default:
		snprintf(how, len, "cacheable mapping: PAT WB");
		return P2MK_MT_WB;
	}
}

/* The policy's answer for the page, as the next access would see it. */
static void decide(struct sim *m, const struct p2mk_p2m_entry *e, uint64_t gfn,
                   struct p2mk_policy_out *o)
{
	struct p2mk_policy_view v;
	struct p2mk_policy_query q = {
	    .type = e->type, .order = 0, .gfn = p2mk_gfn(gfn), .mfn = e->mfn};
	p2mk_p2m_view(&m->p2m, &v);
	memset(o, 0, sizeof(*o));
	m->pol->decide(&v, &q, o);
}

static unsigned norm(unsigned t)
{
	return t == P2MK_MT_UCM || t == P2MK_MT_CD ? P2MK_MT_UC : t;
}

static void x86_effective(struct sim *m, const struct p2mk_p2m_entry *e,
                          const struct p2mk_policy_out *o, unsigned gpat,
                          struct p2mk_sim_range *out)
{
	struct p2mk_mt_result r;
	const char *by;
	if (m->pol->arch == P2MK_ARCH_X86_EPT) {
		unsigned emt = e->pending ? o->emt : e->attrs.mt;
		bool ipat =
		    e->pending ? o->ipat : (e->attrs.flags & P2MK_PT_IPAT) != 0;
		r = p2mk_ept_effective(emt, ipat, gpat, false);
		by = ipat ? "ept-ipat"
		     : norm(r.type) == norm(gpat) && gpat != P2MK_MT_WB
		         ? "guest-pat"
		         : "ept-emt";
	} else {
		unsigned host = P2MK_MT_WB;
		if (m->p2m.have_host) {
			struct p2mk_mtrr_lookup l = p2mk_mtrr_lookup_host(
			    &m->p2m.host, p2mk_mfn_to_hpa(e->mfn), 0,
			    P2MK_OVERLAP_LINUX);
			if (l.kind == P2MK_LOOKUP_TYPE)
				host = l.type;
		}
		r = p2mk_npt_effective(gpat, o->hpat_type, host);
		by = norm(r.type) == norm(gpat) && gpat != P2MK_MT_WB
		         ? "guest-pat"
		     : host != P2MK_MT_WB && norm(r.type) == norm(host)
		         ? "host-mtrr"
		         : "npt-host-pat";
	}
	out->mt = r.status == P2MK_MT_OK ? r.type : 0xff;
	snprintf(out->effective, sizeof(out->effective), "%s",
	         r.status == P2MK_MT_OK ? p2mk_mt_name(r.type) : "misconfig");
	snprintf(out->decided_by, sizeof(out->decided_by), "%s", by);
}

/* MAIR attribute bytes for the stage-1 choices (arm64 §2). */
static const uint8_t s1_mair[P2MK_SC_S1_COUNT] = {0xff, 0x44, 0x0c, 0x04};

static void arm_effective(const struct p2mk_p2m_entry *e,
                          const struct p2mk_policy_out *o, unsigned s1,
                          struct p2mk_sim_range *out)
{
	struct p2mk_a64_ctl ctl = {.fwb = o->fwb};
	unsigned s2 = e->pending ? o->s2attr : e->attrs.mt;
	struct p2mk_a64_result r =
	    p2mk_a64_combine(s1_mair[s1], 3, s2, 3, &ctl);
	const char *name = p2mk_a64_type_name(&r.attr);
	const char *s1name = p2mk_a64_type_name(&r.s1);
	snprintf(out->effective, sizeof(out->effective), "%s", name);
	snprintf(out->decided_by, sizeof(out->decided_by), "%s",
	         strcmp(name, s1name) == 0 ? "stage1" : "stage2");
	out->mt = strncmp(name, "Device", 6) == 0      ? P2MK_MT_UC
	          : strncmp(name, "Normal-NC", 9) == 0 ? P2MK_MT_WC
	                                               : P2MK_MT_WB;
}

void sim_effective(struct sim *m, uint64_t gfn, unsigned map, unsigned s1,
                   struct p2mk_sim_range *out)
{
	struct p2mk_p2m_entry e;
	struct p2mk_policy_out o;
	char how[80] = "";
	out->mt = 0xff;
	if (p2mk_p2m_get(&m->p2m, p2mk_gfn(gfn), &e) != P2MK_OK) {
		snprintf(out->effective, sizeof(out->effective), "emulated");
		snprintf(out->decided_by, sizeof(out->decided_by), "p2m");
		snprintf(out->detail, sizeof(out->detail),
		         "not present: accesses trap to the device model");
		return;
	}
	decide(m, &e, gfn, &o);
	if (m->pol->arch == P2MK_ARCH_ARM64) {
		arm_effective(&e, &o, s1, out);
		snprintf(how, sizeof(how), "stage 1 %s", p2mk_sc_s1_name(s1));
	} else {
		x86_effective(m, &e, &o,
		              guest_pat(m, gfn, map, how, sizeof(how)), out);
	}
	snprintf(out->detail, sizeof(out->detail), "%s; %s%s", how,
	         o.branch ? o.branch : "-",
	         e.pending ? " (on next access)" : "");
}
