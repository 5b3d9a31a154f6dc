/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the p2m tests: a domain on the test allocator, snapshots of
 * every leaf for whole-table comparisons, and hvmloader-like MTRRs.
 */
#ifndef P2MKIT_TEST_P2M_ENV_H
#define P2MKIT_TEST_P2M_ENV_H

#include "test_fake_fmt.h"
#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/p2m.h>
#include <p2mkit/policy.h>

struct snap_leaf {
	uint64_t gfn, mfn;
	unsigned order;
	uint8_t mt, sw, perm;
	uint16_t flags;
};

struct snap {
	struct snap_leaf *v;
	size_t n, cap;
};

static inline int snap_cb(void *ctx, const struct p2mk_pt_leaf *lf)
{
	struct snap *s = ctx;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		assert_non_null(s->v);
	}
	struct snap_leaf *l = &s->v[s->n++];
	l->gfn = lf->gfn.v;
	l->mfn = lf->mfn.v;
	l->order = lf->order;
	l->mt = lf->attrs.mt;
	l->sw = lf->attrs.sw;
	l->perm = lf->attrs.perm;
	l->flags = lf->attrs.flags;
	return 0;
}

static inline struct snap snap_take(const struct p2mk_p2m *p)
{
	struct snap s = {0};
	uint64_t lim = p->pt.gfn_limit;
	assert_int_equal(
	    p2mk_pt_walk(&p->pt, p2mk_gfn(0), lim, 0, snap_cb, &s, NULL),
	    P2MK_OK);
	return s;
}

static inline bool leaf_equal(const struct snap_leaf *x,
                              const struct snap_leaf *y)
{
	return x->gfn == y->gfn && x->mfn == y->mfn && x->order == y->order &&
	       x->mt == y->mt && x->sw == y->sw && x->perm == y->perm &&
	       x->flags == y->flags;
}

static inline bool snap_equal(const struct snap *a, const struct snap *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		if (!leaf_equal(&a->v[i], &b->v[i]))
			return false;
	}
	return true;
}

static inline void snap_free(struct snap *s)
{
	free(s->v);
	*s = (struct snap){0};
}

/*
 * The page-table format every domain of a p2m test is built on: NULL for
 * each arch's own, or the odd test format (test_fake_fmt.h).  p2m reads no
 * descriptor bit, so each p2m test program runs all its tests on both
 * (tp2m_run_tests) and they must pass unchanged.
 */
static const struct p2mk_pt_fmt *tp2m_fmt;

static inline struct p2mk_p2m_config cfg_ept(bool iommu)
{
	struct p2mk_p2m_config c = {.arch = P2MK_ARCH_X86_EPT,
	                            .nvcpus = 1,
	                            .paddr_bits = 36,
	                            .iommu = iommu,
	                            .iommu_snoop = true,
	                            .self_snoop = true,
	                            .fmt = tp2m_fmt};
	return c;
}

/* Run @tests on the arch formats, then again on the odd test format. */
static inline int tp2m_run_both(const struct CMUnitTest *tests, size_t n)
{
	tp2m_fmt = NULL;
	int failed =
	    _cmocka_run_group_tests("arch formats", tests, n, NULL, NULL);
	tp2m_fmt = &test_fake_fmt;
	failed +=
	    _cmocka_run_group_tests("odd test format", tests, n, NULL, NULL);
	tp2m_fmt = NULL;
	return failed;
}
#define tp2m_run_tests(tests)                                                  \
	tp2m_run_both(tests, sizeof(tests) / sizeof((tests)[0]))

static inline void wr(struct p2mk_p2m *p, unsigned vcpu, uint32_t msr,
                      uint64_t v)
{
	struct p2mk_gp gp;
	assert_int_equal(p2mk_p2m_wrmsr(p, vcpu, msr, v, &gp), P2MK_OK);
}

/* hvmloader's cacheattr_init (xen §13.2) for a 36-bit guest with the low
 * MMIO hole [hole, 4 GiB): fixed ranges WB (A0000-BFFFF WC), UC variable
 * ranges over the hole, then MTRRdefType = E | FE | WB last. */
static inline void hvmloader_mtrrs(struct p2mk_p2m *p, unsigned vcpu,
                                   uint64_t hole)
{
	const uint64_t wb8 = UINT64_C(0x0606060606060606);
	wr(p, vcpu, P2MK_MSR_MTRR_FIX64K_00000, wb8);
	wr(p, vcpu, P2MK_MSR_MTRR_FIX16K_80000, wb8);
	wr(p, vcpu, P2MK_MSR_MTRR_FIX16K_A0000, UINT64_C(0x0101010101010101));
	for (unsigned i = 0; i < 8; i++)
		wr(p, vcpu, P2MK_MSR_MTRR_FIX4K_C0000 + i, wb8);
	uint64_t base = hole, end = UINT64_C(1) << 32;
	unsigned n = 0;
	while (base < end && n < 8) {
		uint64_t size = base & (~base + 1);
		while (base + size > end)
			size >>= 1;
		uint64_t mask = ~(size - 1) & ((UINT64_C(1) << 36) - 1);
		wr(p, vcpu, P2MK_MSR_MTRR_PHYSBASE0 + 2 * n, base | P2MK_MT_UC);
		wr(p, vcpu, P2MK_MSR_MTRR_PHYSMASK0 + 2 * n,
		   mask | P2MK_MTRR_MASK_V);
		base += size;
		n++;
	}
	wr(p, vcpu, P2MK_MSR_MTRR_DEF_TYPE,
	   P2MK_MTRR_DEF_E | P2MK_MTRR_DEF_FE | P2MK_MT_WB);
}

#endif /* P2MKIT_TEST_P2M_ENV_H */
