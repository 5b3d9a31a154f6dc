// SPDX-License-Identifier: BSD-2-Clause
/*
 * Oracle test for Intel EPT (4-level at the top of the 48-bit space; 5-level
 * across the PML5 boundary at 2^57 / 2): one million random operations against
 * the flat reference (test_pt_oracle.h), then shorter runs of the other
 * variants.
 */
#include "test_pt_oracle.h"

#define NPAGES (UINT64_C(1) << 21) /* an 8 GiB window: 1 GiB leaves fit */

static void oracle_main(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_ept4, (UINT64_C(1) << 36) - NPAGES, NPAGES,
	        1000000, 0x5eed0001);
}

static void oracle_variant(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_ept5, (UINT64_C(1) << 44) - NPAGES / 2, NPAGES,
	        100000, 0x5eed0002);
}

/* The no-1G EPT instance (EPT_VPID_CAP[17] = 0). */
static void oracle_no_1g(void **state)
{
	(void)state;
	struct p2mk_pt_fmt f;
	assert_int_equal(p2mk_pt_fmt_derive(&f, &p2mk_pt_fmt_ept4, 0, 0, 0x3),
	                 P2MK_OK);
	orc_run(&f, (UINT64_C(1) << 36) - NPAGES, NPAGES, 100000, 0x5eed0003);
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
