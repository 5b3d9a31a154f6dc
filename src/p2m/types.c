// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2m vocabulary: type and architecture names, and the small predicates a
 * policy needs about a domain view.  Spec: xen §10 (types), §8.1
 * (cache_flush_permitted).
 */
#include <p2mkit/p2m.h>

static const char *const p2mt_names[P2MK_P2MT_COUNT] = {
    [P2MK_P2M_INVALID] = "invalid",
    [P2MK_P2M_RAM_RW] = "ram_rw",
    [P2MK_P2M_RAM_RO] = "ram_ro",
    [P2MK_P2M_RAM_LOGDIRTY] = "ram_logdirty",
    [P2MK_P2M_MMIO_DM] = "mmio_dm",
    [P2MK_P2M_MMIO_DIRECT] = "mmio_direct",
    [P2MK_P2M_GRANT_RW] = "grant_map_rw",
    [P2MK_P2M_GRANT_RO] = "grant_map_ro",
    [P2MK_P2M_FOREIGN] = "map_foreign",
    [P2MK_P2M_RAM_SHARED] = "ram_shared",
    [P2MK_P2M_IOREQ_SERVER] = "ioreq_server",
    [P2MK_P2M_POD] = "populate_on_demand",
    [P2MK_P2M_PAGING_OUT] = "ram_paging_out",
    [P2MK_P2M_PAGED] = "ram_paged",
    [P2MK_P2M_PAGING_IN] = "ram_paging_in",
    [P2MK_P2M_RAM_BROKEN] = "ram_broken",
};

static const char *const arch_names[] = {
    [P2MK_ARCH_X86_EPT] = "x86-ept",
    [P2MK_ARCH_X86_NPT] = "x86-npt",
    [P2MK_ARCH_ARM64] = "arm64",
};

/* String equality without <string.h> (the core is freestanding). */
static bool streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const char *p2mk_p2mt_name(enum p2mk_p2mt t)
{
	return (unsigned)t < P2MK_P2MT_COUNT ? p2mt_names[t] : "?";
}

bool p2mk_p2mt_parse(const char *s, enum p2mk_p2mt *t)
{
	/* Xen's spelling: p2m_ram_rw, p2m_ioreq_server, ... (xen §10). */
	if (s[0] == 'p' && s[1] == '2' && s[2] == 'm' && s[3] == '_')
		s += 4;
	for (unsigned i = 0; i < P2MK_P2MT_COUNT; i++) {
		if (streq(s, p2mt_names[i])) {
			*t = (enum p2mk_p2mt)i;
			return true;
		}
	}
	return false;
}

bool p2mk_p2mt_is_ram(enum p2mk_p2mt t)
{
	return t == P2MK_P2M_RAM_RW || t == P2MK_P2M_RAM_RO ||
	       t == P2MK_P2M_RAM_LOGDIRTY || t == P2MK_P2M_RAM_SHARED ||
	       t == P2MK_P2M_IOREQ_SERVER;
}

bool p2mk_p2mt_present(enum p2mk_p2mt t)
{
	/* Emulated MMIO, PoD, paging and broken frames have no usable
	 * entry: accesses trap (xen §10, EPT perms "-"). */
	return t != P2MK_P2M_INVALID && t != P2MK_P2M_MMIO_DM &&
	       t < P2MK_P2M_POD;
}

const char *p2mk_arch_name(enum p2mk_arch arch)
{
	return (unsigned)arch < sizeof(arch_names) / sizeof(arch_names[0])
	           ? arch_names[arch]
	           : "?";
}

bool p2mk_arch_parse(const char *s, enum p2mk_arch *arch)
{
	for (unsigned i = 0; i < sizeof(arch_names) / sizeof(arch_names[0]);
	     i++) {
		if (streq(s, arch_names[i])) {
			*arch = (enum p2mk_arch)i;
			return true;
		}
	}
	return false;
}

bool p2mk_view_cache_flush_permitted(const struct p2mk_policy_view *v)
{
	/* xen §8.1 condition 1: iomem caps, ioport caps or assigned PCI
	 * devices (the pdevs term is 8333e358e4, 2025). */
	return v->nio != 0 || v->ioports != 0 || v->pdevs != 0;
}

const char *p2mk_recalc_name(enum p2mk_recalc r)
{
	switch (r) {
	case P2MK_RECALC_XEN:
		return "xen";
	case P2MK_RECALC_RANGE:
		return "range";
	case P2MK_RECALC_EXACT:
		return "exact";
	default:
		return "?";
	}
}

bool p2mk_recalc_parse(const char *s, enum p2mk_recalc *r)
{
	for (unsigned i = 0; i <= P2MK_RECALC_EXACT; i++) {
		if (streq(s, p2mk_recalc_name((enum p2mk_recalc)i))) {
			*r = (enum p2mk_recalc)i;
			return true;
		}
	}
	return false;
}
