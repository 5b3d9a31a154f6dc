// SPDX-License-Identifier: BSD-2-Clause
/*
 * Oracle test for Arm stage 2 (3 levels, 40-bit IPA: the window straddles the
 * two concatenated root tables; 4 levels): one million random operations
 * against the flat reference (test_pt_oracle.h), then shorter runs of the other
 * variants.
 */
#include "test_pt_oracle.h"

#define NPAGES (UINT64_C(1) << 21) /* an 8 GiB window: 1 GiB leaves fit */

static void oracle_main(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_arm_s2_l3, (UINT64_C(1) << 27) - NPAGES / 2,
	        NPAGES, 1000000, 0x5eed0001);
}

static void oracle_variant(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_arm_s2_l4, (UINT64_C(1) << 27) - NPAGES / 2,
	        NPAGES, 200000, 0x5eed0002);
}

/* The Arm stage 2 without 1 GiB blocks. */
static void oracle_no_1g(void **state)
{
	(void)state;
	struct p2mk_pt_fmt f;
	assert_int_equal(
	    p2mk_pt_fmt_derive(&f, &p2mk_pt_fmt_arm_s2_l3, 0, 0, 0x3), P2MK_OK);
	orc_run(&f, (UINT64_C(1) << 27) - NPAGES / 2, NPAGES, 200000,
	        0x5eed0003);
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
