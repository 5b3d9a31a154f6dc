// SPDX-License-Identifier: BSD-2-Clause
/*
 * VT-d IOTLB-invalidate descriptors and AMD-Vi INVALIDATE_IOMMU_PAGES
 * commands: encoding one naturally aligned block, and decoding what a
 * descriptor makes the hardware invalidate (inv §2.2, §2.7, §3.1, §3.2).
 */
#include "internal.h"

/* VT-d descriptor fields (inv §2.7, type 2). */
#define VTD_TYPE_IOTLB UINT64_C(2)
#define VTD_G_SHIFT    4
#define VTD_G_GLOBAL   UINT64_C(1)
#define VTD_G_DOMAIN   UINT64_C(2)
#define VTD_G_PAGE     UINT64_C(3)
#define VTD_DW         P2MK_BIT(6)
#define VTD_DR         P2MK_BIT(7)
#define VTD_DID_SHIFT  16
#define VTD_IH         P2MK_BIT(6)
#define VTD_AM_MASK    UINT64_C(0x3f)
#define VTD_QW0_RSVD   (P2MK_GENMASK(63, 32) | P2MK_GENMASK(15, 8))
#define VTD_QW1_RSVD   P2MK_GENMASK(11, 7)
#define VTD_ADDR_MASK  P2MK_GENMASK(63, 12)

/* AMD-Vi command fields (inv §3.1, §3.2). */
#define AMD_OPCODE         UINT64_C(3)
#define AMD_OPCODE_SHIFT   60
#define AMD_DOMID_SHIFT    32
#define AMD_W0_RSVD        (P2MK_GENMASK(31, 20) | P2MK_GENMASK(59, 48))
#define AMD_W1_RSVD        P2MK_GENMASK(11, 3)
#define AMD_ALL_PAGES_ADDR UINT64_C(0x7ffffffffffff000)
#define AMD_ALL_FIRST_ZERO 51u /* first zero at bit >= 51: everything */

static uint64_t block_first(p2mk_gfn_t first, unsigned order)
{
	return first.v & ~(P2MK_BIT(order) - 1);
}

static struct p2mk_inv_desc vtd_encode(const struct p2mk_iommu_caps *caps,
                                       bool domain, p2mk_gfn_t first,
                                       unsigned order, bool nonleaf)
{
	struct p2mk_inv_desc d = {domain, p2mk_gfn(0), 0, {0, 0}};
	uint64_t g = domain ? VTD_G_DOMAIN : VTD_G_PAGE;
	d.raw[0] = VTD_TYPE_IOTLB | g << VTD_G_SHIFT |
	           (uint64_t)caps->did << VTD_DID_SHIFT;
	if (caps->drain)
		d.raw[0] |= VTD_DR | VTD_DW;
	if (domain)
		return d;
	d.first = p2mk_gfn(block_first(first, order));
	d.order = (uint8_t)order;
	/* IH = 1 promises no paging-structure entry changed (inv §2.4). */
	d.raw[1] = p2mk_gfn_to_gpa(d.first).v | order | (nonleaf ? 0 : VTD_IH);
	return d;
}

static struct p2mk_inv_desc amd_encode(const struct p2mk_iommu_caps *caps,
                                       bool domain, p2mk_gfn_t first,
                                       unsigned order, bool nonleaf)
{
	struct p2mk_inv_desc d = {domain, p2mk_gfn(0), 0, {0, 0}};
	d.raw[0] = AMD_OPCODE << AMD_OPCODE_SHIFT | (uint64_t)caps->did
	                                                << AMD_DOMID_SHIFT;
	if (domain) {
		d.raw[1] = AMD_ALL_PAGES_ADDR | AMDVI_S | AMDVI_PDE;
		return d;
	}
	d.first = p2mk_gfn(block_first(first, order));
	d.order = (uint8_t)order;
	uint64_t frame = d.first.v;
	/* S = 1: the size is the run of ones above bit 12 (inv §3.2). */
	if (order > 0)
		frame |= P2MK_BIT(order - 1) - 1;
	d.raw[1] = p2mk_gfn_to_gpa(p2mk_gfn(frame)).v |
	           (order > 0 ? AMDVI_S : 0) | (nonleaf ? AMDVI_PDE : 0);
	return d;
}

struct p2mk_inv_desc p2mk_inv_encode_block(const struct p2mk_iommu_caps *caps,
                                           bool domain, p2mk_gfn_t first,
                                           unsigned order, bool nonleaf)
{
	if (caps->hw == P2MK_IOMMU_AMDVI)
		return amd_encode(caps, domain, first, order, nonleaf);
	return vtd_encode(caps, domain, first, order, nonleaf);
}

static enum p2mk_err vtd_decode(const struct p2mk_iommu_caps *caps,
                                const uint64_t raw[2],
                                struct p2mk_inv_desc *out)
{
	if ((raw[0] & 0xf) != VTD_TYPE_IOTLB || (raw[0] & VTD_QW0_RSVD) ||
	    (raw[1] & VTD_QW1_RSVD))
		return P2MK_ERR_INVAL;
	uint64_t g = (raw[0] >> VTD_G_SHIFT) & 3;
	uint64_t did = (raw[0] >> VTD_DID_SHIFT) & 0xffff;
	if (g == 0 || (g != VTD_G_GLOBAL && did != caps->did))
		return P2MK_ERR_INVAL;
	out->raw[0] = raw[0];
	out->raw[1] = raw[1];
	out->domain = g != VTD_G_PAGE;
	out->first = p2mk_gfn(0);
	out->order = 0;
	if (out->domain)
		return P2MK_OK;
	unsigned am = (unsigned)(raw[1] & VTD_AM_MASK);
	if (!caps->psi || am > caps->mamv)
		return P2MK_ERR_INVAL;
	/* Hardware ignores the low AM bits of the page number (inv §2.2). */
	out->order = (uint8_t)am;
	out->first = p2mk_gfn(
	    block_first(p2mk_gpa_to_gfn(p2mk_gpa(raw[1] & VTD_ADDR_MASK)), am));
	return P2MK_OK;
}

static unsigned trailing_ones(uint64_t v)
{
	return v == UINT64_MAX ? 64u : (unsigned)__builtin_ctzll(~v);
}

static enum p2mk_err amd_decode(const struct p2mk_iommu_caps *caps,
                                const uint64_t raw[2],
                                struct p2mk_inv_desc *out)
{
	if ((raw[0] >> AMD_OPCODE_SHIFT) != AMD_OPCODE ||
	    (raw[0] & AMD_W0_RSVD) || (raw[1] & AMD_W1_RSVD) ||
	    ((raw[0] >> AMD_DOMID_SHIFT) & 0xffff) != caps->did)
		return P2MK_ERR_INVAL;
	out->raw[0] = raw[0];
	out->raw[1] = raw[1];
	out->domain = false;
	p2mk_gfn_t page = p2mk_gpa_to_gfn(p2mk_gpa(raw[1] & VTD_ADDR_MASK));
	if (!(raw[1] & AMDVI_S)) {
		out->first = page;
		out->order = 0;
		return P2MK_OK;
	}
	unsigned ones = trailing_ones(page.v);
	if (P2MK_PAGE_SHIFT + ones >= AMD_ALL_FIRST_ZERO) {
		out->domain = true;
		out->first = p2mk_gfn(0);
		out->order = 0;
		return P2MK_OK;
	}
	out->order = (uint8_t)(ones + 1);
	out->first = p2mk_gfn(block_first(page, ones + 1));
	return P2MK_OK;
}

enum p2mk_err p2mk_inv_decode(const struct p2mk_iommu_caps *caps,
                              const uint64_t raw[2], struct p2mk_inv_desc *out)
{
	if (caps->hw == P2MK_IOMMU_AMDVI)
		return amd_decode(caps, raw, out);
	return vtd_decode(caps, raw, out);
}
