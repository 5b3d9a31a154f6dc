// SPDX-License-Identifier: BSD-2-Clause
/*
 * The read-only path query p2m builds on (p2mk_pt_query_path): on every
 * format shape p2m may meet (one root page or a concatenated one, the odd
 * test format) it reports the kind of each entry on a path, where the path
 * ends, and a table identity that is shared by paths through the same
 * table and differs otherwise -- with and without the direct map.
 */
#include "test_fake_fmt.h"
#include "test_support.h"

#include <p2mkit/pt.h>

static const struct p2mk_pt_fmt *const formats[] = {
    &p2mk_pt_fmt_ept4,      &p2mk_pt_fmt_npt, &p2mk_pt_fmt_arm_s2_l3,
    &p2mk_pt_fmt_arm_s2_l4, &test_fake_fmt,
};

static const struct p2mk_pt_attrs rw = {P2MK_PT_R | P2MK_PT_W, 0, 0, 0, 0};

/* One tree: a 4 KiB page at gfn 0x1001 and a 2 MiB leaf at 0x400. */
static void build(struct p2mk_pt *pt, struct test_alloc *a,
                  const struct p2mk_pt_fmt *f)
{
	test_alloc_init(a);
	assert_int_equal(p2mk_pt_init(pt, f, &a->ops, NULL), P2MK_OK);
	assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(0x1001), p2mk_mfn(0x5001), 1,
	                             &rw, P2MK_PT_ORDER_ANY, 0),
	                 P2MK_OK);
	assert_int_equal(p2mk_pt_map(pt, p2mk_gfn(0x400), p2mk_mfn(0x800), 512,
	                             &rw, P2MK_PT_ORDER_ANY, 0),
	                 P2MK_OK);
}

static void check_paths(const struct p2mk_pt *pt)
{
	unsigned top = pt->fmt.levels - 1u;
	struct p2mk_pt_path a, b, c, d;
	assert_int_equal(p2mk_pt_query_path(pt, p2mk_gfn(0x1001), &a), P2MK_OK);
	assert_int_equal(a.end, 0);
	assert_int_equal(a.kind[0], P2MK_PT_ENT_LEAF);
	for (unsigned l = 1; l <= top; l++)
		assert_int_equal(a.kind[l], P2MK_PT_ENT_TABLE);
	assert_int_equal(a.table[top], p2mk_pt_root_pa(pt));
	/* A hole in the same leaf table: same tables, absent at level 0. */
	assert_int_equal(p2mk_pt_query_path(pt, p2mk_gfn(0x1002), &b), P2MK_OK);
	assert_int_equal(b.end, 0);
	assert_int_equal(b.kind[0], P2MK_PT_ENT_ABSENT);
	for (unsigned l = 0; l <= top; l++)
		assert_int_equal(a.table[l], b.table[l]);
	/* The 2 MiB leaf: the path ends at level 1, in another level-1
	 * table than the 4 KiB page's leaf table. */
	assert_int_equal(p2mk_pt_query_path(pt, p2mk_gfn(0x5ff), &c), P2MK_OK);
	assert_int_equal(c.end, 1);
	assert_int_equal(c.kind[1], P2MK_PT_ENT_LEAF);
	assert_int_equal(c.kind[0], P2MK_PT_ENT_ABSENT);
	assert_int_equal(c.table[0], 0);
	assert_int_equal(c.table[1], a.table[1]);
	assert_true(c.table[0] != a.table[0]);
	/* Nothing mapped up there: the path ends at the root's entry, or one
	 * level down where the root was concatenated. */
	uint64_t far = pt->gfn_limit - 1;
	assert_int_equal(p2mk_pt_query_path(pt, p2mk_gfn(far), &d), P2MK_OK);
	assert_int_equal(d.end, top);
	assert_int_equal(d.kind[top], P2MK_PT_ENT_ABSENT);
	assert_true(d.table[top] != 0);
	/* Beyond the input width and bad arguments: untouched, errors. */
	d.end = 99;
	assert_int_equal(p2mk_pt_query_path(pt, p2mk_gfn(pt->gfn_limit), &d),
	                 P2MK_ERR_RANGE);
	assert_int_equal(d.end, 99);
	assert_int_equal(p2mk_pt_query_path(pt, p2mk_gfn(0), NULL),
	                 P2MK_ERR_INVAL);
	assert_int_equal(p2mk_pt_query_path(NULL, p2mk_gfn(0), &d),
	                 P2MK_ERR_INVAL);
}

static void path_kinds_ends_and_table_identity(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct p2mk_pt pt;
		struct test_alloc a;
		build(&pt, &a, formats[i]);
		check_paths(&pt);
		p2mk_pt_destroy(&pt);
		assert_int_equal(a.live, 0);
	}
}

/* The test allocator maps identically, so a direct map with offset 0
 * must give the very same answers through the shortcut. */
static void direct_map_gives_the_same_paths(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		struct p2mk_pt pt;
		struct test_alloc a;
		build(&pt, &a, formats[i]);
		p2mk_pt_set_direct_map(&pt, 0);
		check_paths(&pt);
		p2mk_pt_destroy(&pt);
		assert_int_equal(a.live, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(path_kinds_ends_and_table_identity),
	    cmocka_unit_test(direct_map_gives_the_same_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
