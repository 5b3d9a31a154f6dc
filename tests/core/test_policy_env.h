/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A hand-built domain view for the policy and p2m tests: one config, the
 * vCPU and host MTRR states, and small fixed arrays for the I/O, read-only
 * MMIO, special and pinned ranges.  Header-only so each test stays one
 * program.
 */
#ifndef P2MKIT_TEST_POLICY_ENV_H
#define P2MKIT_TEST_POLICY_ENV_H

#include "test_support.h"

#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/mtrr.h>
#include <p2mkit/policy.h>

#define TENV_MAXPHYADDR 36

struct tenv {
	struct p2mk_p2m_config cfg;
	struct p2mk_mtrr_state vcpu[P2MK_P2M_MAX_VCPUS];
	struct p2mk_mtrr_state host;
	bool have_host;
	struct p2mk_io_range io[4];
	struct p2mk_mfn_range ro[4];
	struct p2mk_mfn_range special[4];
	struct p2mk_pinned pin[4];
	unsigned nio, nro, nspecial, npin, ioports, pdevs;
	int cur_vcpu;
	bool guest_cd;
	struct p2mk_policy_view v;
};

static inline void tenv_mtrr_reset(struct p2mk_mtrr_state *m)
{
	struct p2mk_mtrr_config c = {.vcnt = 8,
	                             .maxphyaddr = TENV_MAXPHYADDR,
	                             .fixed = true,
	                             .wc = true};
	assert_int_equal(p2mk_mtrr_init(m, &c), P2MK_OK);
}

static inline void tenv_init(struct tenv *e, unsigned arch)
{
	memset(e, 0, sizeof(*e));
	e->cfg.arch = (enum p2mk_arch)arch;
	e->cfg.nvcpus = 1;
	e->cfg.paddr_bits = TENV_MAXPHYADDR;
	for (unsigned i = 0; i < P2MK_P2M_MAX_VCPUS; i++)
		tenv_mtrr_reset(&e->vcpu[i]);
	tenv_mtrr_reset(&e->host);
	e->cur_vcpu = -1;
}

static inline void tenv_wr(struct p2mk_mtrr_state *m, uint32_t msr,
                           uint64_t val)
{
	struct p2mk_gp gp;
	assert_int_equal(p2mk_mtrr_wrmsr(m, msr, val, &gp), P2MK_OK);
}

/* Variable pair @n: [base, base + size) of @type, valid. */
static inline void tenv_var(struct p2mk_mtrr_state *m, unsigned n,
                            uint64_t base, uint64_t size, unsigned type)
{
	uint64_t mask = ~(size - 1) & ((UINT64_C(1) << TENV_MAXPHYADDR) - 1);
	tenv_wr(m, P2MK_MSR_MTRR_PHYSBASE0 + 2 * n, base | type);
	tenv_wr(m, P2MK_MSR_MTRR_PHYSMASK0 + 2 * n, mask | P2MK_MTRR_MASK_V);
}

/* MTRRs on with default @type (and fixed ranges all WB if @fe). */
static inline void tenv_enable(struct p2mk_mtrr_state *m, unsigned type,
                               bool fe)
{
	if (fe) {
		tenv_wr(m, P2MK_MSR_MTRR_FIX64K_00000,
		        UINT64_C(0x0606060606060606));
		tenv_wr(m, P2MK_MSR_MTRR_FIX16K_80000,
		        UINT64_C(0x0606060606060606));
		tenv_wr(m, P2MK_MSR_MTRR_FIX16K_A0000,
		        UINT64_C(0x0606060606060606));
		for (unsigned i = 0; i < 8; i++)
			tenv_wr(m, P2MK_MSR_MTRR_FIX4K_C0000 + i,
			        UINT64_C(0x0606060606060606));
	}
	tenv_wr(m, P2MK_MSR_MTRR_DEF_TYPE,
	        P2MK_MTRR_DEF_E | (fe ? P2MK_MTRR_DEF_FE : 0) | type);
}

static inline const struct p2mk_policy_view *tenv_view(struct tenv *e)
{
	e->v = (struct p2mk_policy_view){
	    .cfg = &e->cfg,
	    .vcpu_mtrr = e->vcpu,
	    .host_mtrr = e->have_host ? &e->host : NULL,
	    .io = e->io,
	    .mmio_ro = e->ro,
	    .special = e->special,
	    .pinned = e->pin,
	    .nio = e->nio,
	    .nmmio_ro = e->nro,
	    .nspecial = e->nspecial,
	    .npinned = e->npin,
	    .ioports = e->ioports,
	    .pdevs = e->pdevs,
	    .cur_vcpu = e->cur_vcpu,
	    .guest_cd = e->guest_cd,
	};
	return &e->v;
}

static inline struct p2mk_policy_out tenv_decide(const struct p2mk_policy *p,
                                                 struct tenv *e, unsigned type,
                                                 unsigned order, uint64_t gfn,
                                                 uint64_t mfn)
{
	struct p2mk_policy_query q = {.type = (enum p2mk_p2mt)type,
	                              .order = order,
	                              .gfn = p2mk_gfn(gfn),
	                              .mfn = p2mk_mfn(mfn)};
	struct p2mk_policy_out o;
	p->decide(tenv_view(e), &q, &o);
	assert_non_null(o.branch);
	assert_non_null(o.cite);
	return o;
}

#endif /* P2MKIT_TEST_POLICY_ENV_H */
