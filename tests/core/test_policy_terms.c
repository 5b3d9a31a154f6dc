// SPDX-License-Identifier: BSD-2-Clause
/*
 * Each policy's terms (policy_terms.h) against its decide(): an input the
 * terms say the policy does not read never changes any answer, and every
 * input they say it reads changes at least one answer in some domain.  The
 * CLI refuses options for unread inputs on the strength of this.
 */
#include "test_policy_env.h"

#include <stdio.h>

#include <p2mkit/policy_terms.h>

#define BLOCK 0x200 /* gfn = mfn of the queried block (order 0 or 9) */
#define LOW   0xa0  /* a frame under 1 MiB (fixed-range MTRRs), order 0 */

/* Put input @in in its "before" (!on) or "after" (on) state. */
static void set_input(struct tenv *e, unsigned in, bool on)
{
	const struct p2mk_mfn_range blk = {p2mk_mfn(BLOCK), 512};
	switch (in) {
	case P2MK_POLIN_GUEST_MTRR:
		tenv_mtrr_reset(&e->vcpu[0]);
		if (on) { /* default UC, the block WC, fixed ranges WB */
			tenv_var(&e->vcpu[0], 0, 0, 0x400000, P2MK_MT_WC);
			tenv_enable(&e->vcpu[0], P2MK_MT_UC, true);
		}
		break;
	case P2MK_POLIN_HOST_MTRR:
		e->have_host = on;
		tenv_mtrr_reset(&e->host);
		tenv_enable(&e->host, P2MK_MT_UC, false);
		break;
	case P2MK_POLIN_IOMMU:
		e->cfg.iommu = on;
		break;
	case P2MK_POLIN_IO_RANGES:
		e->nio = on;
		e->io[0].mfns = blk;
		break;
	case P2MK_POLIN_IO_FLAGS: /* the flags of the range, if present */
		e->io[0].mfns = blk;
		e->io[0].flags = on ? P2MK_IO_VFIO | P2MK_IO_PREFETCHABLE |
		                          P2MK_IO_HOST_CACHEABLE
		                    : 0;
		break;
	case P2MK_POLIN_IO_CAPS:
		e->ioports = on ? 3 : 0;
		e->pdevs = on ? 2 : 0;
		break;
	case P2MK_POLIN_MMIO_RO:
		e->nro = on;
		e->ro[0] = blk;
		break;
	case P2MK_POLIN_SPECIAL:
		e->nspecial = on;
		e->special[0] = blk;
		break;
	case P2MK_POLIN_PINNED:
		e->npin = on;
		e->pin[0] =
		    (struct p2mk_pinned){p2mk_gfn(BLOCK), 512, P2MK_MT_UC};
		break;
	case P2MK_POLIN_FULL_CACHEABILITY:
		e->cfg.full_cacheability = on;
		break;
	case P2MK_POLIN_NONCOHERENT_DMA:
		e->cfg.noncoherent_dma = on;
		break;
	case P2MK_POLIN_GUEST_CD:
		e->guest_cd = on;
		break;
	case P2MK_POLIN_CD_NW_QUIRK:
		e->cfg.cd_nw_quirk = on;
		break;
	case P2MK_POLIN_SELF_SNOOP:
		e->cfg.self_snoop = on;
		break;
	case P2MK_POLIN_FWB:
		e->cfg.fwb = on;
		break;
	default:
		e->cfg.dic = on;
		break;
	}
}

static bool same(const struct p2mk_policy_out *a,
                 const struct p2mk_policy_out *b)
{
	return a->kind == b->kind && a->emt == b->emt && a->ipat == b->ipat &&
	       a->hpat_index == b->hpat_index && a->s2attr == b->s2attr &&
	       a->fwb == b->fwb && strcmp(a->branch, b->branch) == 0;
}

/*
 * Does flipping input @in change any answer of @p, in the domain where the
 * other inputs in @others are on?  Queries: every p2m type, orders 0 and
 * 9, the block at BLOCK.
 */
static bool matters_in(const struct p2mk_policy *p, unsigned in,
                       uint32_t others)
{
	static struct tenv e0, e1;
	tenv_init(&e0, p->arch);
	for (unsigned i = 0; i < P2MK_POLIN_COUNT; i++)
		set_input(&e0, i, i != in && (others & (UINT32_C(1) << i)));
	e1 = e0;
	set_input(&e1, in, true);
	static const struct {
		unsigned order;
		uint64_t frame;
	} blocks[] = {{0, BLOCK}, {9, BLOCK}, {0, LOW}};
	for (unsigned t = 0; t < P2MK_P2MT_COUNT; t++) {
		for (unsigned i = 0; i < 3; i++) {
			uint64_t f = blocks[i].frame;
			struct p2mk_policy_out a =
			    tenv_decide(p, &e0, t, blocks[i].order, f, f);
			struct p2mk_policy_out b =
			    tenv_decide(p, &e1, t, blocks[i].order, f, f);
			if (!same(&a, &b))
				return true;
		}
	}
	return false;
}

/* In any domain with at most two others on, or at most two off. */
static bool input_matters(const struct p2mk_policy *p, unsigned in)
{
	const uint32_t all = (UINT32_C(1) << P2MK_POLIN_COUNT) - 1;
	for (unsigned j = 0; j <= P2MK_POLIN_COUNT; j++) {
		for (unsigned k = j; k <= P2MK_POLIN_COUNT; k++) {
			/* Bit P2MK_POLIN_COUNT is outside @all: "none". */
			uint32_t on =
			    ((UINT32_C(1) << j) | (UINT32_C(1) << k)) & all;
			if (matters_in(p, in, on) ||
			    matters_in(p, in, all & ~on))
				return true;
		}
	}
	return false;
}

static void every_policy_has_terms(void **state)
{
	(void)state;
	for (unsigned i = 0; i < p2mk_policy_count(); i++) {
		const struct p2mk_policy *p = p2mk_policy_at(i);
		const struct p2mk_policy_terms *t = p2mk_policy_terms_of(p);
		assert_non_null(t);
		assert_ptr_equal(t->policy, p);
		assert_non_null(t->hypervisor);
		assert_non_null(t->decider);
		for (unsigned in = 0; in < P2MK_POLIN_COUNT; in++) {
			if ((t->inputs & (UINT32_C(1) << in)) &&
			    t->input_names[in] == NULL)
				fail_msg("%s: input %u has no name", p->name,
				         in);
		}
	}
	assert_null(p2mk_policy_terms_of(NULL));
}

static void unread_inputs_change_nothing(void **state)
{
	(void)state;
	for (unsigned i = 0; i < p2mk_policy_count(); i++) {
		const struct p2mk_policy *p = p2mk_policy_at(i);
		uint32_t reads = p2mk_policy_terms_of(p)->inputs;
		for (unsigned in = 0; in < P2MK_POLIN_COUNT; in++) {
			if (reads & (UINT32_C(1) << in))
				continue;
			bool m = input_matters(p, in);
			if (m)
				fprintf(stderr, "%s: input %u matters\n",
				        p->name, in);
			assert_false(m);
		}
	}
}

static void read_inputs_change_something(void **state)
{
	(void)state;
	for (unsigned i = 0; i < p2mk_policy_count(); i++) {
		const struct p2mk_policy *p = p2mk_policy_at(i);
		uint32_t reads = p2mk_policy_terms_of(p)->inputs;
		for (unsigned in = 0; in < P2MK_POLIN_COUNT; in++) {
			if (!(reads & (UINT32_C(1) << in)))
				continue;
			bool m = input_matters(p, in);
			if (!m)
				fprintf(stderr, "%s: input %u never matters\n",
				        p->name, in);
			assert_true(m);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_policy_has_terms),
	    cmocka_unit_test(unread_inputs_change_nothing),
	    cmocka_unit_test(read_inputs_change_something),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
