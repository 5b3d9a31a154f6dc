// SPDX-License-Identifier: BSD-2-Clause
/*
 * Oracle test for Intel VT-d second-stage (4-level; 3-level at the top of 39
 * bits): one million random operations against the flat reference
 * (test_pt_oracle.h), then shorter runs of the other variants.
 */
#include "test_pt_oracle.h"

#define NPAGES (UINT64_C(1) << 21) /* an 8 GiB window: 1 GiB leaves fit */

static void oracle_main(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_vtd_sl4, (UINT64_C(1) << 30), NPAGES, 1000000,
	        0x5eed0001);
}

static void oracle_variant(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_vtd_sl3, (UINT64_C(1) << 27) - NPAGES, NPAGES,
	        100000, 0x5eed0002);
}

/* The VT-d without 1 GiB pages (CAP.SLLPS bit 35 = 0). */
static void oracle_no_1g(void **state)
{
	(void)state;
	struct p2mk_pt_fmt f;
	assert_int_equal(
	    p2mk_pt_fmt_derive(&f, &p2mk_pt_fmt_vtd_sl4, 0, 0, 0x3), P2MK_OK);
	orc_run(&f, (UINT64_C(1) << 30), NPAGES, 100000, 0x5eed0003);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(oracle_main),
	    cmocka_unit_test(oracle_variant),
	    cmocka_unit_test(oracle_no_1g),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
