/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers for the physmap and iommu-domain tests: a machine-frame
 * allocator that knows who owns every frame (so the safety checker can
 * ask), and a domain made of a p2m, an IOMMU (shared, separate or none)
 * and a physmap on the accounting test page allocator.
 * Everything is static: each test program includes this header once.
 */
#ifndef P2MKIT_TEST_PHYSMAP_ENV_H
#define P2MKIT_TEST_PHYSMAP_ENV_H

#include "test_support.h"

#include <stdlib.h>
#include <string.h>

#include <p2mkit/iommu.h>
#include <p2mkit/p2m.h>
#include <p2mkit/physmap.h>
#include <p2mkit/policy.h>

/* Frame states. */
enum { FR_FREE = 0, FR_OWNED = 1 };

/*
 * struct frames - machine frames [0, n): RAM is handed out from a bump
 * pointer (order 0 reuses freed frames: use-after-free then means another
 * owner); frames at or above @mmio_base are the domain's assigned MMIO.
 */
struct frames {
	uint8_t *state;
	uint64_t n, bump, mmio_base;
	uint64_t *freelist;
	uint64_t nfree;
	uint64_t allocated, freed;
	bool fail; /* the next alloc fails */
};

static inline bool fr_alloc(void *ctx, uint64_t count, p2mk_mfn_t *first)
{
	struct frames *f = ctx;
	if (f->fail)
		return false;
	if (count == 1 && f->nfree > 0) {
		uint64_t m = f->freelist[--f->nfree];
		f->state[m] = FR_OWNED;
		f->allocated++;
		*first = p2mk_mfn(m);
		return true;
	}
	uint64_t b = (f->bump + count - 1) & ~(count - 1);
	if (b + count > f->mmio_base)
		return false;
	for (uint64_t i = 0; i < count; i++)
		f->state[b + i] = FR_OWNED;
	f->bump = b + count;
	f->allocated += count;
	*first = p2mk_mfn(b);
	return true;
}

static inline void fr_free(void *ctx, p2mk_mfn_t first, uint64_t count)
{
	struct frames *f = ctx;
	for (uint64_t i = 0; i < count; i++) {
		assert_int_equal(f->state[first.v + i], FR_OWNED);
		f->state[first.v + i] = FR_FREE;
		f->freelist[f->nfree++] = first.v + i;
	}
	f->freed += count;
}

static inline bool fr_owned(void *ctx, p2mk_mfn_t first, uint64_t count)
{
	struct frames *f = ctx;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t m = first.v + i;
		if (m >= f->mmio_base && m < f->n)
			continue;
		if (m >= f->n || f->state[m] != FR_OWNED)
			return false;
	}
	return true;
}

static inline void fr_init(struct frames *f, uint64_t ram, uint64_t mmio)
{
	memset(f, 0, sizeof(*f));
	f->n = ram + mmio;
	f->mmio_base = ram;
	f->state = calloc(ram, 1);
	f->freelist = malloc(ram * sizeof(uint64_t));
	assert_non_null(f->state);
	assert_non_null(f->freelist);
}

static inline void fr_fini(struct frames *f)
{
	free(f->state);
	free(f->freelist);
}

/* What the IOMMU sits on. */
enum env_kind { ENV_NONE, ENV_SHARED, ENV_SEPARATE };

struct env {
	struct test_alloc alloc;
	struct frames fr;
	struct p2mk_p2m p2m;
	struct p2mk_iommu io;
	struct p2mk_physmap pm;
	enum env_kind kind;
};

static inline struct p2mk_iommu_config env_vtd(enum p2mk_iommu_mode mode,
                                               unsigned mamv)
{
	struct p2mk_iommu_config c = {
	    .caps = {P2MK_IOMMU_VTD, true, (uint8_t)mamv, false, false, 1, 1, 0,
	             1000},
	    .rule = P2MK_INV_MIN,
	    .mode = mode,
	    .fq_size = 256,
	    .fq_timeout = 10,
	    .check = true,
	};
	return c;
}

static inline void env_setup(struct env *e, enum env_kind kind,
                             const struct p2mk_iommu_config *ic, uint64_t ram,
                             uint64_t mmio)
{
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	test_alloc_init(&e->alloc);
	fr_init(&e->fr, ram, mmio);
	struct p2mk_p2m_config cfg = {.arch = P2MK_ARCH_X86_EPT,
	                              .nvcpus = 1,
	                              .paddr_bits = 48,
	                              .iommu = kind != ENV_NONE};
	assert_int_equal(p2mk_p2m_init(&e->p2m, &cfg, &p2mk_policy_xen_ept,
	                               P2MK_RECALC_EXACT, &e->alloc.ops),
	                 P2MK_OK);
	struct p2mk_iommu_owner own = {fr_free, fr_owned, &e->fr};
	struct p2mk_iommu *io = NULL;
	if (kind == ENV_SHARED) {
		assert_int_equal(p2mk_iommu_init_shared(&e->io, ic, &e->p2m.pt,
		                                        0x7, &e->alloc.ops,
		                                        &own),
		                 P2MK_OK);
		io = &e->io;
	} else if (kind == ENV_SEPARATE) {
		const struct p2mk_pt_fmt *fmt = ic->caps.hw == P2MK_IOMMU_VTD
		                                    ? &p2mk_pt_fmt_vtd_sl4
		                                    : &p2mk_pt_fmt_amdv1_l4;
		assert_int_equal(p2mk_iommu_init_separate(&e->io, ic, fmt,
		                                          &e->alloc.ops, &own),
		                 P2MK_OK);
		io = &e->io;
	}
	struct p2mk_frame_ops fops = {fr_alloc, fr_free, fr_owned, &e->fr};
	assert_int_equal(p2mk_physmap_init(&e->pm, &e->p2m, io, &fops,
	                                   kind == ENV_SEPARATE ? 18 : 0),
	                 P2MK_OK);
}

static inline void env_teardown(struct env *e)
{
	if (e->kind != ENV_NONE)
		p2mk_iommu_destroy(&e->io);
	p2mk_p2m_destroy(&e->p2m);
	assert_int_equal(e->alloc.live, 0);
	fr_fini(&e->fr);
}

#endif /* P2MKIT_TEST_PHYSMAP_ENV_H */
