// SPDX-License-Identifier: BSD-2-Clause
/*
 * The p2m types Xen's EMT and NPT rules see (xen §10): every Xen type has
 * its name, accepted with Xen's "p2m_" prefix too; ram_shared and
 * ioreq_server are RAM for every memory-type rule (their EMT equals
 * ram_rw's in every domain shape of test_policy_xen), the paging, PoD and
 * broken states are not present; permissions follow the §10 table.
 */
#include "test_policy_env.h"

#include <stdio.h>

static void every_xen_type_has_its_name_and_prefix_form(void **state)
{
	(void)state;
	static const char *const xen[] = {"ram_rw",
	                                  "invalid",
	                                  "ram_logdirty",
	                                  "ram_ro",
	                                  "mmio_dm",
	                                  "mmio_direct",
	                                  "populate_on_demand",
	                                  "grant_map_rw",
	                                  "grant_map_ro",
	                                  "ram_paging_out",
	                                  "ram_paged",
	                                  "ram_paging_in",
	                                  "ram_shared",
	                                  "ram_broken",
	                                  "map_foreign",
	                                  "ioreq_server"};
	bool seen[P2MK_P2MT_COUNT] = {0};
	for (unsigned i = 0; i < 16; i++) {
		enum p2mk_p2mt t, u;
		char pre[40];
		snprintf(pre, sizeof(pre), "p2m_%s", xen[i]);
		assert_true(p2mk_p2mt_parse(xen[i], &t));
		assert_true(p2mk_p2mt_parse(pre, &u));
		assert_int_equal(t, u);
		assert_string_equal(p2mk_p2mt_name(t), xen[i]);
		seen[t] = true;
	}
	for (unsigned t = 0; t < P2MK_P2MT_COUNT; t++)
		assert_true(seen[t]);
	enum p2mk_p2mt t;
	assert_false(p2mk_p2mt_parse("p2m_", &t));
	assert_false(p2mk_p2mt_parse("ram_sharedx", &t));
}

static void present_and_ram_groups_follow_xen(void **state)
{
	(void)state;
	static const enum p2mk_p2mt absent[] = {
	    P2MK_P2M_INVALID,    P2MK_P2M_MMIO_DM, P2MK_P2M_POD,
	    P2MK_P2M_PAGING_OUT, P2MK_P2M_PAGED,   P2MK_P2M_PAGING_IN,
	    P2MK_P2M_RAM_BROKEN};
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		assert_false(p2mk_p2mt_present(absent[i]));
		struct tenv e;
		tenv_init(&e, P2MK_ARCH_X86_EPT);
		struct p2mk_policy_out o = tenv_decide(
		    &p2mk_policy_xen_ept, &e, absent[i], 0, 0x100, 0x100);
		assert_int_equal(o.kind, P2MK_POL_NONE);
	}
	assert_true(p2mk_p2mt_present(P2MK_P2M_RAM_SHARED));
	assert_true(p2mk_p2mt_present(P2MK_P2M_IOREQ_SERVER));
	assert_true(p2mk_p2mt_is_ram(P2MK_P2M_RAM_SHARED));
	assert_true(p2mk_p2mt_is_ram(P2MK_P2M_IOREQ_SERVER));
	assert_false(p2mk_p2mt_is_ram(P2MK_P2M_GRANT_RW));
}

/* "As RAM" (xen §10): the EMT and NPT answers equal ram_rw's. */
static void shared_and_ioreq_types_get_the_ram_answer(void **state)
{
	(void)state;
	static const struct p2mk_policy *const pols[] = {
	    &p2mk_policy_xen_ept, &p2mk_policy_xen_ept_exact,
	    &p2mk_policy_xen_ept_cdf, &p2mk_policy_xen_npt};
	unsigned checked = 0;
	for (unsigned pi = 0; pi < 4; pi++) {
		for (unsigned dom = 0; dom < 8; dom++) {
			struct tenv e;
			tenv_init(&e, pols[pi]->arch);
			e.cfg.iommu = dom & 1;
			if (dom & 2)
				e.special[e.nspecial++] =
				    (struct p2mk_mfn_range){p2mk_mfn(0x5000),
				                            1};
			if (dom & 4) {
				tenv_var(&e.vcpu[0], 0, 0xc0000000, 0x40000000,
				         P2MK_MT_UC);
				tenv_enable(&e.vcpu[0], P2MK_MT_WB, true);
			}
			static const uint64_t frames[] = {0x5000, 0x100,
			                                  0xc0000, 0x5000 + 1};
			for (unsigned f = 0; f < 4; f++) {
				struct p2mk_policy_out a =
				    tenv_decide(pols[pi], &e, P2MK_P2M_RAM_RW,
				                0, frames[f], frames[f]);
				for (unsigned t = P2MK_P2M_RAM_SHARED;
				     t <= P2MK_P2M_IOREQ_SERVER; t++) {
					struct p2mk_policy_out b =
					    tenv_decide(pols[pi], &e, t, 0,
					                frames[f], frames[f]);
					assert_int_equal(a.kind, b.kind);
					assert_int_equal(a.emt, b.emt);
					assert_int_equal(a.ipat, b.ipat);
					assert_int_equal(a.hpat_index,
					                 b.hpat_index);
					checked++;
				}
			}
		}
	}
	assert_int_equal(checked, 4 * 8 * 4 * 2);
}

/* Permissions from the xen §10 table: shared RX (copy on write), ioreq R. */
static void shared_is_rx_and_ioreq_is_read_only_in_the_domain(void **state)
{
	(void)state;
	static struct p2mk_p2m p;
	struct test_alloc ta;
	test_alloc_init(&ta);
	struct p2mk_p2m_config c = {.arch = P2MK_ARCH_X86_EPT,
	                            .nvcpus = 1,
	                            .paddr_bits = 36,
	                            .iommu = true};
	assert_int_equal(p2mk_p2m_init(&p, &c, &p2mk_policy_xen_ept,
	                               P2MK_RECALC_EXACT, &ta.ops),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x100), p2mk_mfn(0x100), 0,
	                              P2MK_P2M_RAM_SHARED),
	                 P2MK_OK);
	assert_int_equal(p2mk_p2m_set(&p, p2mk_gfn(0x101), p2mk_mfn(0x101), 0,
	                              P2MK_P2M_IOREQ_SERVER),
	                 P2MK_OK);
	assert_int_equal(
	    p2mk_p2m_set(&p, p2mk_gfn(0x102), p2mk_mfn(0x102), 0, P2MK_P2M_POD),
	    P2MK_ERR_INVAL);
	struct p2mk_p2m_entry e;
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x100), &e), P2MK_OK);
	assert_int_equal(e.type, P2MK_P2M_RAM_SHARED);
	assert_int_equal(e.attrs.perm, P2MK_PT_R | P2MK_PT_X);
	assert_int_equal(p2mk_p2m_get(&p, p2mk_gfn(0x101), &e), P2MK_OK);
	assert_int_equal(e.type, P2MK_P2M_IOREQ_SERVER);
	assert_int_equal(e.attrs.perm, P2MK_PT_R);
	p2mk_p2m_destroy(&p);
	assert_int_equal(ta.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_xen_type_has_its_name_and_prefix_form),
	    cmocka_unit_test(present_and_ram_groups_follow_xen),
	    cmocka_unit_test(shared_and_ioreq_types_get_the_ram_answer),
	    cmocka_unit_test(shared_is_rx_and_ioreq_is_read_only_in_the_domain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
