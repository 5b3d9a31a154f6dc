// SPDX-License-Identifier: BSD-2-Clause
/*
 * Oracle test for AMD-Vi v1 (mode 4; mode 3 at the top of 39 bits):
 * one million random operations against the flat reference
 * (test_pt_oracle.h), then shorter runs of the other variants.
 */
#include "test_pt_oracle.h"

#define NPAGES (UINT64_C(1) << 21) /* an 8 GiB window: 1 GiB leaves fit */

static void oracle_main(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_amdv1_l4, (UINT64_C(1) << 35), NPAGES, 1000000,
	        0x5eed0001);
}

static void oracle_variant(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_amdv1_l3, (UINT64_C(1) << 27) - NPAGES, NPAGES,
	        100000, 0x5eed0002);
}

/* The AMD-Vi v1 limited to 4 KiB and 2 MiB pages. */
static void oracle_no_1g(void **state)
{
	(void)state;
	struct p2mk_pt_fmt f;
	assert_int_equal(
	    p2mk_pt_fmt_derive(&f, &p2mk_pt_fmt_amdv1_l4, 0, 0, 0x3), P2MK_OK);
	orc_run(&f, (UINT64_C(1) << 35), NPAGES, 100000, 0x5eed0003);
}

/* 2 MiB and 1 GiB leaves in the Next Level 7 "page size" form. */
static void oracle_page_size_form(void **state)
{
	(void)state;
	orc_run(&p2mk_pt_fmt_amdv1_l4_ps, (UINT64_C(1) << 35), NPAGES, 100000,
	        0x5eed0005);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(oracle_main),
	    cmocka_unit_test(oracle_variant),
	    cmocka_unit_test(oracle_no_1g),
	    cmocka_unit_test(oracle_page_size_form),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
