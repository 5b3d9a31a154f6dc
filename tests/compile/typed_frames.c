// SPDX-License-Identifier: BSD-2-Clause
/*
 * Typed frames at compile time.  Built as is, this file must compile: it
 * is the control that proves the compiler, flags and headers work.  Built
 * with -DMISTAKE=N it must NOT compile: each case passes one kind of frame
 * or address where another is expected, the mistake the distinct types of
 * p2mkit/base.h exist to catch.  tests/scripts/typed_frames.sh runs both.
 */
#include <p2mkit/p2m.h>
#include <p2mkit/policy.h>

#ifndef MISTAKE
#define MISTAKE 0
#endif

enum p2mk_err typed_frames_demo(struct p2mk_p2m *p,
                                const struct p2mk_policy_view *v);

enum p2mk_err typed_frames_demo(struct p2mk_p2m *p,
                                const struct p2mk_policy_view *v)
{
	p2mk_gfn_t gfn = p2mk_gfn(0x200);
	p2mk_mfn_t mfn = p2mk_mfn(0x1200);
	p2mk_gpa_t gpa = p2mk_gfn_to_gpa(gfn);
	uint32_t flags = 0;
	(void)gpa;
#if MISTAKE == 0
	(void)p2mk_view_io_flags(v, mfn, 0, &flags);
	(void)p2mk_p2m_add_mmio_ro(p, mfn, 1);
	(void)p2mk_p2m_pin(p, gfn, 1, P2MK_MT_WB);
	(void)p2mk_mtrr_lookup(v->host_mtrr, gpa, 0, P2MK_OVERLAP_SDM);
	(void)p2mk_mtrr_lookup_host(v->host_mtrr, p2mk_mfn_to_hpa(mfn), 0,
	                            P2MK_OVERLAP_SDM);
	return p2mk_p2m_set(p, gfn, mfn, 9, P2MK_P2M_RAM_RW);
#elif MISTAKE == 1 /* gfn and mfn swapped */
	return p2mk_p2m_set(p, mfn, gfn, 9, P2MK_P2M_RAM_RW);
#elif MISTAKE == 2 /* a gfn where an mfn is expected */
	return p2mk_p2m_set(p, gfn, gfn, 9, P2MK_P2M_RAM_RW);
#elif MISTAKE == 3 /* a bare integer where a gfn is expected */
	return p2mk_p2m_set(p, 0x200, mfn, 9, P2MK_P2M_RAM_RW);
#elif MISTAKE == 4 /* a guest address where a guest frame is expected */
	return p2mk_p2m_clear(p, gpa, 1);
#elif MISTAKE == 5 /* a gfn where the policy layer wants an mfn */
	(void)p2mk_view_io_flags(v, gfn, 0, &flags);
	return P2MK_OK;
#elif MISTAKE == 6 /* a gfn as the first host frame of a range */
	return p2mk_p2m_add_mmio_ro(p, gfn, 1);
#elif MISTAKE == 7 /* an mfn as the first guest frame of a pin */
	return p2mk_p2m_pin(p, mfn, 1, P2MK_MT_WB);
#elif MISTAKE == 8 /* a host address where the MTRR lookup wants a guest one   \
                    */
	(void)p2mk_mtrr_lookup(v->host_mtrr, p2mk_mfn_to_hpa(mfn), 0,
	                       P2MK_OVERLAP_SDM);
	return P2MK_OK;
#else
#error "unknown MISTAKE"
#endif
}
