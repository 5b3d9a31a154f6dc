// SPDX-License-Identifier: BSD-2-Clause
/*
 * p2mk_layout_execute(): a plan's RAM relocation carried out on a small
 * domain through the physmap layer.  Every page of the plan moves (same
 * frame, new gfn), the physmap's counts are the plan's calls, and an
 * allocation failure injected at every allocation point, with shared and
 * separate IOMMU tables, leaves every translation and frame owner as it
 * was.
 */
#include "test_layout_common.h"
#include "test_physmap_env.h"

#define GFN_4G (UINT64_C(1) << 20)

/* A 256 MiB BAR does not fit hvmloader's 0xF0000000 hole: the hole grows
 * to 0xE0000000 and the RAM above it moves to 4 GiB. */
static void plan(struct p2mk_layout_input *in, uint64_t ram,
                 enum p2mk_layout_mode mode, struct p2mk_layout_output *out)
{
	tl_input(in, ram);
	struct p2mk_layout_dev *d = tl_dev(in, 0x10, 0x1af4, 0x1000, 0x0300, 1);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(256));
	assert_int_equal(p2mk_layout_run(in, mode, out), P2MK_OK);
	assert_null(out->error);
	assert_true(out->nrelocs > 0);
}

/* A domain whose low RAM from 0xE0000000 to @ram is populated (the only
 * part the plan moves), in 2 MiB pages so moving splits them. */
static void domain(struct env *e, enum env_kind kind, uint64_t ram)
{
	struct p2mk_iommu_config ic = env_vtd(P2MK_IOMMU_STRICT, 9);
	uint64_t pages = (ram - UINT64_C(0xE0000000)) >> 12;
	env_setup(e, kind, &ic, pages < 4096 ? 4096 : pages, 16);
	struct p2mk_physmap_counts c = {0};
	assert_int_equal(p2mk_physmap_populate(&e->pm, p2mk_gfn(0xE0000), pages,
	                                       pages % 512 ? 0 : 9, &c),
	                 P2MK_OK);
}

static uint64_t mfn_at(struct env *e, uint64_t gfn)
{
	struct p2mk_p2m_entry en;
	return p2mk_p2m_get(&e->p2m, p2mk_gfn(gfn), &en) == P2MK_OK
	           ? en.mfn.v
	           : UINT64_MAX;
}

/* Each page of each relocation is now at its destination with the frame
 * it had, and nothing is left at its source. */
static uint64_t check_moved(struct env *e, const struct p2mk_layout_output *out,
                            const uint64_t *mfn_before, uint64_t base)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < out->nrelocs; i++) {
		const struct p2mk_layout_reloc *r = &out->relocs[i];
		for (uint64_t k = 0; k < r->pages; k++) {
			assert_int_equal(mfn_at(e, r->src.v + k), UINT64_MAX);
			assert_int_equal(mfn_at(e, r->dst.v + k),
			                 mfn_before[r->src.v + k - base]);
		}
		total += r->pages;
	}
	return total;
}

static void run_plan(enum p2mk_layout_mode mode, enum p2mk_reloc_batch batch,
                     enum env_kind kind, struct p2mk_physmap_counts *c,
                     unsigned *ncalls)
{
	static struct p2mk_layout_input in;
	static struct p2mk_layout_output out;
	static uint64_t before[1 << 16];
	const uint64_t ram = UINT64_C(0xF0000000), base = 0xE0000;
	plan(&in, ram, mode, &out);
	struct env e;
	domain(&e, kind, ram);
	for (uint64_t g = 0; g < (UINT64_C(1) << 16); g++)
		before[g] = mfn_at(&e, base + g);
	*c = (struct p2mk_physmap_counts){0};
	assert_int_equal(p2mk_layout_execute(&out, &e.pm, batch, c), P2MK_OK);
	assert_int_equal(c->pages_done, check_moved(&e, &out, before, base));
	assert_int_equal(c->pages_done, UINT64_C(1) << 16);
	*ncalls = out.nrelocs;
	if (kind != ENV_NONE)
		assert_int_equal(e.io.stats.violations, 0);
	env_teardown(&e);
}

/* hvmloader: 65,536 pages in two gmfn_range calls (65,535 + 1), each a
 * hypercall with 16-page continuations as Xen runs it. */
static void hvmloader_chunks_move_every_page(void **st)
{
	(void)st;
	struct p2mk_physmap_counts c;
	unsigned calls;
	run_plan(P2MK_LAYOUT_HVMLOADER, P2MK_RELOC_XEN16, ENV_SHARED, &c,
	         &calls);
	assert_int_equal(calls, 2);
	assert_int_equal(c.hypercalls, 2);
	assert_int_equal(c.iterations, UINT64_C(1) << 16);
	/* 65,535 pages: 4,095 full batches + 1 of 15; then 1 page */
	assert_int_equal(c.continuations, 4095);
	assert_int_equal(c.flush_points, 2 * (4096 + 1));
	printf("hvmloader plan: %llu hypercalls, %llu flushes, %llu "
	       "descriptors\n",
	       (unsigned long long)c.hypercalls, (unsigned long long)c.flushes,
	       (unsigned long long)c.descs);
}

/* improved: the same RAM in one call with one flush point. */
static void improved_moves_in_one_batch(void **st)
{
	(void)st;
	struct p2mk_physmap_counts c;
	unsigned calls;
	run_plan(P2MK_LAYOUT_IMPROVED, P2MK_RELOC_WHOLE, ENV_SEPARATE, &c,
	         &calls);
	assert_int_equal(calls, 1);
	assert_int_equal(c.hypercalls, 1);
	assert_int_equal(c.flush_points, 1);
	assert_int_equal(c.continuations, 0);
	printf("improved plan: %llu hypercall, %llu flushes, %llu "
	       "descriptors\n",
	       (unsigned long long)c.hypercalls, (unsigned long long)c.flushes,
	       (unsigned long long)c.descs);
}

#define WIN 1024u /* gfns compared at the source and at 4 GiB */

struct state {
	uint64_t p2m[2 * WIN], io[2 * WIN];
	uint8_t fr[4096];
};

static void take(struct env *e, struct state *s)
{
	for (uint64_t i = 0; i < 2 * (uint64_t)WIN; i++) {
		uint64_t g = i < WIN ? 0xE0000 + i : GFN_4G + (i - WIN);
		struct p2mk_p2m_entry en;
		s->p2m[i] = p2mk_p2m_get(&e->p2m, p2mk_gfn(g), &en) == P2MK_OK
		                ? en.mfn.v << 8 | en.type
		                : ~0ull;
		p2mk_mfn_t m;
		unsigned perm;
		bool stale;
		s->io[i] = p2mk_iommu_translate(&e->io, p2mk_gfn(g), &m, &perm,
		                                &stale) == P2MK_OK
		               ? m.v << 4 | perm
		               : ~0ull;
	}
	memcpy(s->fr, e->fr.state, sizeof(s->fr));
}

/* @out's single relocation cut in two calls, top half first (as
 * hvmloader orders its chunks), so a failure in the second call must
 * also undo the first. */
static void split_in_two(struct p2mk_layout_output *out)
{
	struct p2mk_layout_reloc r = out->relocs[0];
	uint64_t half = r.pages / 2;
	out->relocs[0] = (struct p2mk_layout_reloc){
	    p2mk_gfn(r.src.v + half), p2mk_gfn(r.dst.v + half), r.pages - half};
	out->relocs[1] = (struct p2mk_layout_reloc){r.src, r.dst, half};
	out->nrelocs = 2;
}

/* One plan under failure injection at allocation @k: true if it hit. */
static bool attempt(const struct p2mk_layout_output *out, enum env_kind kind,
                    enum p2mk_reloc_batch batch, uint64_t ram, uint64_t k)
{
	static struct state before, after;
	struct env e;
	domain(&e, kind, ram);
	take(&e, &before);
	test_alloc_fail_at(&e.alloc, k);
	struct p2mk_physmap_counts c = {0};
	enum p2mk_err err = p2mk_layout_execute(out, &e.pm, batch, &c);
	test_alloc_fail_at(&e.alloc, 0);
	bool hit = err == P2MK_ERR_NOMEM;
	if (hit) {
		p2mk_iommu_flush(&e.io);
		take(&e, &after);
		assert_memory_equal(&before, &after, sizeof(before));
	} else {
		assert_int_equal(err, P2MK_OK);
	}
	assert_int_equal(p2mk_iommu_audit(&e.io, true), 0);
	assert_int_equal(e.io.stats.violations, 0);
	env_teardown(&e);
	return hit;
}

static void failure_at_every_allocation_leaves_domain_unchanged(void **st)
{
	(void)st;
	static struct p2mk_layout_input in;
	static struct p2mk_layout_output out;
	const uint64_t ram = UINT64_C(0xE0000000) + MIB(2);
	unsigned failures = 0;
	for (unsigned v = 0; v < 4; v++) {
		plan(&in, ram,
		     v & 1 ? P2MK_LAYOUT_IMPROVED : P2MK_LAYOUT_HVMLOADER,
		     &out);
		assert_int_equal(out.relocs[0].pages, 512);
		if (v & 2)
			split_in_two(&out);
		for (int kind = ENV_SHARED; kind <= ENV_SEPARATE; kind++) {
			enum p2mk_reloc_batch b =
			    v & 1 ? P2MK_RELOC_WHOLE : P2MK_RELOC_XEN16;
			for (uint64_t k = 1;
			     attempt(&out, (enum env_kind)kind, b, ram, k); k++)
				failures++;
		}
	}
	printf("%u allocation points failed and were undone\n", failures);
	assert_true(failures >= 16);
}

/* A plan whose source is not RAM fails on its first page of the second
 * call and undoes the first call. */
static void hole_in_source_undoes_earlier_calls(void **st)
{
	(void)st;
	static struct p2mk_layout_input in;
	static struct p2mk_layout_output out;
	static struct state before, after;
	const uint64_t ram = UINT64_C(0xE0000000) + MIB(2);
	plan(&in, ram, P2MK_LAYOUT_HVMLOADER, &out);
	split_in_two(&out);
	out.relocs[1].src = p2mk_gfn(out.relocs[1].src.v - 1); /* unmapped */
	struct env e;
	domain(&e, ENV_SEPARATE, ram);
	take(&e, &before);
	struct p2mk_physmap_counts c = {0};
	assert_int_equal(p2mk_layout_execute(&out, &e.pm, P2MK_RELOC_WHOLE, &c),
	                 P2MK_ERR_NOENT);
	p2mk_iommu_flush(&e.io);
	take(&e, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(c.pages_done, 2 * 256); /* there and back */
	assert_int_equal(p2mk_layout_execute(NULL, &e.pm, P2MK_RELOC_WHOLE, &c),
	                 P2MK_ERR_INVAL);
	assert_int_equal(
	    p2mk_layout_execute(&out, &e.pm, (enum p2mk_reloc_batch)7, &c),
	    P2MK_ERR_INVAL);
	env_teardown(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hvmloader_chunks_move_every_page),
	    cmocka_unit_test(improved_moves_in_one_batch),
	    cmocka_unit_test(
	        failure_at_every_allocation_leaves_domain_unchanged),
	    cmocka_unit_test(hole_in_source_undoes_earlier_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
