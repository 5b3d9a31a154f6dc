// SPDX-License-Identifier: BSD-2-Clause
/*
 * scenario: the whole format -- defaults, every section parsed into its
 * fields, --set overrides (replace, add, error), events, costs and
 * durations, and the error of each section with its exact message.
 */
#include "test_support.h"

#include <stdio.h>
#include <string.h>

#include <p2mkit/memtype.h>
#include <p2mkit/p2m.h>

#include "scenario/scenario.h"
#include "scenario/scenario_vm.h"

static const char base[] = "hypervisor: {policy: xen-ept}\n"
                           "vm: {memory: 2GiB}\n";

static bool load(struct p2mk_scenario *s, const char *text,
                 const struct p2mk_sc_set *set, size_t n)
{
	return p2mk_scenario_load_buf(s, "s.yaml", (const unsigned char *)text,
	                              strlen(text), set, n);
}

static void expect_err(const char *text, const char *msg)
{
	struct p2mk_scenario s;
	assert_false(load(&s, text, NULL, 0));
	assert_string_equal(s.y.err, msg);
	p2mk_scenario_free(&s);
}

static void minimal_scenario_gets_documented_defaults(void **state)
{
	(void)state;
	struct p2mk_scenario s;
	struct p2mk_sc_costs dflt;
	assert_true(load(&s, base, NULL, 0));
	assert_int_equal(s.host.vendor, P2MK_SC_INTEL);
	assert_int_equal(s.host.maxphyaddr, 46);
	assert_int_equal(s.host.iommu.kind, P2MK_SC_IOMMU_VTD);
	assert_int_equal(s.hyp.npolicies, 1);
	assert_string_equal(s.hyp.policy[0], "xen-ept");
	assert_int_equal(s.hyp.tables, P2MK_SC_TABLES_SHARED);
	assert_int_equal(s.hyp.recalc, P2MK_RECALC_XEN);
	assert_int_equal(s.hyp.mmio_max_order, 9);
	assert_int_equal(s.hyp.reloc_batch, 16);
	assert_int_equal(s.vm->ram_pages, 2ull << 18);
	assert_int_equal(s.guest.ram_map, P2MK_SC_MAP_WB);
	assert_int_equal(s.guest.bar_map, P2MK_SC_MAP_IOREMAP);
	/* no events: boot, then touch everything */
	assert_int_equal(s.nevents, 2);
	assert_int_equal(s.events[0].kind, P2MK_SC_EV_BOOT);
	assert_int_equal(s.events[1].kind, P2MK_SC_EV_TOUCH);
	assert_true(s.events[1].all);
	p2mk_sc_costs_default(&dflt);
	assert_memory_equal(&s.costs, &dflt, sizeof(dflt));
	p2mk_scenario_free(&s);
}

static void every_section_parses(void **state)
{
	(void)state;
	static const char text[] =
	    "name: t\n"
	    "host: {vendor: amd, maxphyaddr: 48, cpus: 64, self_snoop: false,\n"
	    "       mtrr: [{msr: 0x2ff, value: 0xc06}],\n"
	    "       iommu: {kind: amd-vi, psi: false, mamv: 9, caching_mode: "
	    "true,\n"
	    "               page_sizes: [4KiB, 2MiB], flush: slow}}\n"
	    "hypervisor: {policy: [xen-npt, xen-ept], iommu: separate, flush: "
	    "lazy,\n"
	    "             recalc: exact, mmio_era: xen-2016, "
	    "relocation_batch: all}\n"
	    "vm: {memory: 4GiB, vcpus: 4}\n"
	    "guest: {os: windows, pat: 0x0007040600070406, ram: wb, bars: "
	    "ioremap_wc,\n"
	    "        arm64_s1: normal-nc,\n"
	    "        devices: [{bdf: \"00:02.0\", bar: 1, map: memremap}]}\n"
	    "costs: {misconfig_exit: 2us, iotlb_flush_slow: 670ms, fixed: 20 "
	    "s}\n";
	struct p2mk_scenario s;
	assert_true(load(&s, text, NULL, 0));
	assert_string_equal(s.name, "t");
	assert_int_equal(s.host.vendor, P2MK_SC_AMD);
	assert_int_equal(s.host.cpus, 64);
	assert_false(s.host.self_snoop);
	assert_int_equal(s.host.mtrr.n, 1);
	assert_int_equal(s.host.mtrr.msr[0], 0x2ff);
	assert_int_equal(s.host.mtrr.value[0], 0xc06);
	assert_int_equal(s.host.mtrr.line[0], 3);
	assert_int_equal(s.host.iommu.kind, P2MK_SC_IOMMU_AMDVI);
	assert_false(s.host.iommu.psi);
	assert_int_equal(s.host.iommu.mamv, 9);
	assert_true(s.host.iommu.caching_mode);
	assert_int_equal(s.host.iommu.page_orders, (1u << 0) | (1u << 9));
	assert_int_equal(s.host.iommu.flush, P2MK_SC_FLUSH_SLOW);
	assert_int_equal(s.hyp.npolicies, 2);
	assert_string_equal(s.hyp.policy[1], "xen-ept");
	assert_int_equal(s.hyp.tables, P2MK_SC_TABLES_SEPARATE);
	assert_int_equal(s.hyp.flush_mode, P2MK_SC_LAZY);
	assert_int_equal(s.hyp.recalc, P2MK_RECALC_EXACT);
	/* xen-2016 with separate tables: 4 KiB MMIO (xen §11.1) */
	assert_int_equal(s.hyp.mmio_max_order, 0);
	assert_int_equal(s.hyp.reloc_batch, P2MK_SC_BATCH_ALL);
	assert_int_equal(s.guest.os, 1);
	assert_true(s.guest.have_pat);
	assert_int_equal(s.guest.bar_map, P2MK_SC_MAP_IOREMAP_WC);
	assert_int_equal(s.guest.bar_s1, P2MK_SC_S1_NORMAL_NC);
	assert_int_equal(s.guest.nmaps, 1);
	assert_int_equal(s.guest.maps[0].bar, 1);
	assert_true(s.guest.maps[0].have_map);
	assert_false(s.guest.maps[0].have_s1);
	assert_true(s.costs.misconfig_exit == 2000.0);
	assert_true(s.costs.iotlb_flush_slow == 670e6);
	assert_true(s.costs.fixed == 20e9);
	p2mk_scenario_free(&s);
}

static void events_parse_with_their_parameters(void **state)
{
	(void)state;
	static const char text[] =
	    "hypervisor: {policy: xen-ept}\n"
	    "vm: {memory: 2GiB}\n"
	    "events:\n"
	    "  - assign: \"00:03.0\"\n"
	    "  - boot\n"
	    "  - mtrr_write: {msr: 0x2ff, value: 0xc06, vcpu: 1}\n"
	    "  - pat_write: {value: 0x0007040600070406}\n"
	    "  - pin: {start: 0xf0000000, end: 0xf0200000, type: UC-}\n"
	    "  - unpin: {start: 0xf0000000, end: 0xf0200000}\n"
	    "  - touch: {start: 0x0, end: 0x1000}\n"
	    "  - relocate: {size: 1GiB}\n"
	    "  - bar_remap: {bdf: \"00:03.0\", bar: 0, addr: 0xe0000000}\n"
	    "  - migration_restore\n";
	struct p2mk_scenario s;
	assert_true(load(&s, text, NULL, 0));
	assert_int_equal(s.nevents, 10);
	assert_int_equal(s.events[0].kind, P2MK_SC_EV_ASSIGN);
	assert_string_equal(s.events[0].bdf, "00:03.0");
	assert_int_equal(s.events[0].line, 4);
	assert_int_equal(s.events[2].msr, 0x2ff);
	assert_int_equal(s.events[2].vcpu, 1);
	assert_int_equal(s.events[3].msr, 0x277);
	assert_int_equal(s.events[3].vcpu, -1);
	assert_int_equal(s.events[4].type, P2MK_MT_UCM);
	assert_int_equal(s.events[4].end, 0xf0200000);
	assert_int_equal(s.events[5].kind, P2MK_SC_EV_UNPIN);
	assert_false(s.events[6].all);
	assert_int_equal(s.events[7].size, 1ull << 30);
	assert_int_equal(s.events[8].bar, 0);
	assert_int_equal(s.events[8].start, 0xe0000000);
	assert_int_equal(s.events[9].kind, P2MK_SC_EV_MIGRATION_RESTORE);
	p2mk_scenario_free(&s);
}

static void set_overrides_replace_and_add(void **state)
{
	(void)state;
	static const struct p2mk_sc_set set[] = {
	    {"hypervisor.policy", "xen-npt"},
	    {"hypervisor.recalc", "range"},
	    {"vm.firmware.xen_platform_pci_bar_uc", "false"},
	    {"costs.hypercall", "5us"}};
	struct p2mk_scenario s;
	assert_true(load(&s,
	                 "hypervisor: {policy: [xen-ept, kvm-svm]}\n"
	                 "vm: {memory: 2GiB}\n",
	                 set, 4));
	assert_int_equal(s.hyp.npolicies, 1);
	assert_string_equal(s.hyp.policy[0], "xen-npt");
	assert_int_equal(s.hyp.recalc, P2MK_RECALC_RANGE);
	assert_false(s.vm->fw.xen_platform_pci_bar_uc);
	assert_true(s.costs.hypercall == 5000.0);
	p2mk_scenario_free(&s);
}

static void set_values_are_checked_like_the_file(void **state)
{
	(void)state;
	static const struct p2mk_sc_set bad[] = {{"hypervisor.recalc", "lazy"}};
	static const struct p2mk_sc_set path[] = {{"vm.memory.x", "1"}};
	struct p2mk_scenario s;
	assert_false(load(&s, base, bad, 1));
	assert_string_equal(s.y.err, "s.yaml:1:13: expected one of xen, range, "
	                             "exact, got 'lazy'");
	p2mk_scenario_free(&s);
	assert_false(load(&s, base, path, 1));
	assert_string_equal(s.y.err,
	                    "s.yaml:2:14: --set vm.memory.x: not a path of "
	                    "mappings");
	p2mk_scenario_free(&s);
}

static void section_errors_have_exact_messages(void **state)
{
	(void)state;
	expect_err("vm: {memory: 2GiB}\n",
	           "s.yaml:1:1: missing required key 'hypervisor' in the "
	           "scenario");
	expect_err("hypervisor: {policy: xen-etp}\nvm: {memory: 2GiB}\n",
	           "s.yaml:1:22: unknown policy 'xen-etp' (did you mean "
	           "'xen-ept'? p2mkit explain --policy list)");
	expect_err("hypervisor: {policy: xen-ept, iommu: sharde}\n",
	           "s.yaml:1:38: expected one of shared, separate, none, got "
	           "'sharde' (did you mean 'shared'?)");
	expect_err("hypervisor: {policy: xen-ept, mmio_era: xen-2018, "
	           "mmio_max_order: 4KiB}\nvm: {memory: 2GiB}\n",
	           "s.yaml:1:41: give mmio_max_order or mmio_era, not both");
	expect_err("host: {vendr: amd}\n",
	           "s.yaml:1:8: unknown key 'vendr' in host (did you mean "
	           "'vendor'?)");
	expect_err("host: {iommu: {page_sizes: [8KiB]}}\n",
	           "s.yaml:1:29: expected 4KiB, 2MiB or 1GiB, got '8KiB'");
	expect_err("host: {mtrr: [{msr: 0x2ff}]}\n",
	           "s.yaml:1:15: missing required key 'value' in host.mtrr");
	expect_err("hypervisor: {policy: xen-ept}\nvm: {memory: 2GiB}\n"
	           "guest: {bars: iorempa_wc}\n",
	           "s.yaml:3:15: expected one of wb, memremap, ioremap, "
	           "ioremap_wc, ioremap_uc, got 'iorempa_wc' (did you mean "
	           "'ioremap_wc'?)");
	expect_err("hypervisor: {policy: xen-ept}\nvm: {memory: 2GiB}\n"
	           "costs: {hypercall: 5}\n",
	           "s.yaml:3:20: expected a duration (a number with ns, us, "
	           "ms or s), got '5'");
	expect_err("hypervisor: {policy: xen-ept}\nvm: {memory: 2GiB}\n"
	           "costs: {hypercal: 5us}\n",
	           "s.yaml:3:9: unknown key 'hypercal' in costs (did you "
	           "mean 'hypercall'?)");
}

static void event_errors_have_exact_messages(void **state)
{
	(void)state;
	char text[256];
	static const char *const cases[][2] = {
	    {"[]", "s.yaml:3:9: events: at least one event"},
	    {"[reboot]", "s.yaml:3:10: expected one of boot, touch, "
	                 "mtrr_write, pat_write, pin, unpin, assign, "
	                 "deassign, hotplug, relocate, bar_remap, "
	                 "migration_restore, got 'reboot' (did you mean "
	                 "'boot'?)"},
	    {"[{boot: 1, touch: all}]",
	     "s.yaml:3:10: an event is one name or a mapping with one key"},
	    {"[{boot: 1}]", "s.yaml:3:17: boot takes no parameters"},
	    {"[pin]", "s.yaml:3:10: pin needs {start, end, type}"},
	    {"[{pin: {start: 0x1000, end: 0x1000, type: WB}}]",
	     "s.yaml:3:16: pin: start and end must be 4 KiB aligned with "
	     "start < end (end is exclusive)"},
	    {"[{pin: {start: 0, end: 0x1000, type: WC+}}]",
	     "s.yaml:3:46: expected one of UC, WC, WT, WP, WB, UC-, got "
	     "'WC+' (did you mean 'WC'?)"},
	    {"[{unpin: {start: 0, end: 0x1000, type: WB}}]",
	     "s.yaml:3:48: unpin takes no type"},
	    {"[{relocate: {size: 100}}]",
	     "s.yaml:3:21: relocate: size must be a non-zero multiple of 4 "
	     "KiB"},
	    {"[{mtrr_write: {msr: 0x2ff, value: 1, vcpu: 8}}]",
	     "s.yaml:3:52: 8 is out of range (0..7)"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "%sevents: %s\n", base,
		         cases[i][0]);
		expect_err(text, cases[i][1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(minimal_scenario_gets_documented_defaults),
	    cmocka_unit_test(every_section_parses),
	    cmocka_unit_test(events_parse_with_their_parameters),
	    cmocka_unit_test(set_overrides_replace_and_add),
	    cmocka_unit_test(set_values_are_checked_like_the_file),
	    cmocka_unit_test(section_errors_have_exact_messages),
	    cmocka_unit_test(event_errors_have_exact_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
