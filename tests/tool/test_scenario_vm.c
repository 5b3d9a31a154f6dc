// SPDX-License-Identifier: BSD-2-Clause
/*
 * scenario/vm: issue 12's `vm:` example parsed field by field into the
 * layout input, a whole scenario accepted as a vm file, and every error
 * class of the section with its exact message.
 */
#include "test_support.h"

#include <string.h>

#include "scenario/scenario_vm.h"

static const char example[] =
    "vm:\n"
    "  memory: 2GiB            # bytes, or with KiB/MiB/GiB/TiB\n"
    "  vcpus: 2\n"
    "  maxphyaddr: 39\n"
    "  firmware: {planner: hvmloader, allow_memory_relocate: true, "
    "mmio_hole_size: 256MiB, xen_platform_pci_bar_uc: false}\n"
    "  reserved: [{start: 0xf2000000, end: 0xf2800000}]      # end "
    "exclusive (RMRRs)\n"
    "  devices:\n"
    "    - {bdf: \"00:02.0\", vendor: 0x5853, device: 0x0001, class: "
    "0xff80, header_type: 0x00, int_pin: 1,\n"
    "       bars: [{index: 0, kind: io, size: 0x100}, {index: 1, kind: "
    "mem32, prefetchable: true, size: 16MiB}]}\n";

static bool parse(const char *text, struct p2mk_layout_input *in, char *err)
{
	return p2mk_scenario_parse_vm_buf("vm.yaml",
	                                  (const unsigned char *)text,
	                                  strlen(text), in, err, 1024);
}

static void issue12_example_parses_field_by_field(void **state)
{
	(void)state;
	struct p2mk_layout_input in;
	char err[1024] = "";
	assert_true(parse(example, &in, err));
	assert_int_equal(in.ram_pages, 2ull << 18);
	assert_int_equal(in.vcpus, 2);
	assert_int_equal(in.maxphyaddr, 39);
	assert_int_equal(in.vcnt, 8); /* default */
	assert_int_equal(in.fw.planner, P2MK_LAYOUT_HVMLOADER);
	assert_true(in.fw.allow_memory_relocate);
	assert_true(in.fw.has_mmio_hole_size);
	assert_int_equal(in.fw.mmio_hole_size, 256ull << 20);
	assert_false(in.fw.xen_platform_pci_bar_uc);
	assert_false(in.fw.has_pci_mmio64_mb);
	assert_int_equal(in.nreserved, 1);
	assert_int_equal(in.reserved[0].first.v, 0xf2000);
	assert_int_equal(in.reserved[0].pages, 0x800);
	assert_int_equal(in.ndevs, 1);
	const struct p2mk_layout_dev *d = &in.devs[0];
	assert_int_equal(d->devfn, 2 << 3);
	assert_int_equal(d->vendor, 0x5853);
	assert_int_equal(d->device, 1);
	assert_int_equal(d->class_code, 0xff80);
	assert_int_equal(d->header_type, 0);
	assert_int_equal(d->int_pin, 1);
	assert_int_equal(d->nbars, 2);
	assert_int_equal(d->bars[0].kind, P2MK_BAR_IO);
	assert_int_equal(d->bars[0].size, 0x100);
	assert_int_equal(d->bars[1].index, 1);
	assert_int_equal(d->bars[1].kind, P2MK_BAR_MEM32);
	assert_true(d->bars[1].prefetchable);
	assert_int_equal(d->bars[1].size, 16ull << 20);
}

static void omitted_options_keep_the_layout_defaults(void **state)
{
	(void)state;
	struct p2mk_layout_input in, dflt;
	char err[1024] = "";
	assert_true(parse("vm: {memory: 4GiB}\n", &in, err));
	p2mk_layout_input_init(&dflt);
	dflt.ram_pages = 1ull << 20;
	assert_memory_equal(&in, &dflt, sizeof(in));
}

static void a_whole_scenario_is_a_vm_file(void **state)
{
	(void)state;
	struct p2mk_layout_input in;
	char err[1024] = "";
	assert_true(parse("name: x\nhypervisor: {policy: xen-ept}\n"
	                  "vm: {memory: 1GiB, firmware: {planner: ovmf, "
	                  "ovmf_window: eighth, pci_mmio64_mb: 65536}}\n",
	                  &in, err));
	assert_int_equal(in.fw.planner, P2MK_LAYOUT_OVMF);
	assert_int_equal(in.fw.ovmf_window, P2MK_OVMF_EIGHTH);
	assert_true(in.fw.has_pci_mmio64_mb);
	assert_int_equal(in.fw.pci_mmio64_mb, 65536);
}

static void expect_err(const char *text, const char *msg)
{
	struct p2mk_layout_input in;
	char err[1024] = "";
	assert_false(parse(text, &in, err));
	assert_string_equal(err, msg);
}

static void errors_name_file_line_column(void **state)
{
	(void)state;
	expect_err("name: x\n", "vm.yaml:1:1: missing required key 'vm' in "
	                        "the file");
	expect_err("vm: {memroy: 2GiB}\n",
	           "vm.yaml:1:6: unknown key 'memroy' in vm (did you mean "
	           "'memory'?)");
	expect_err("vm: {vcpus: 2}\n",
	           "vm.yaml:1:5: missing required key 'memory' in vm");
	expect_err("vm: {memory: 1MiB}\n",
	           "vm.yaml:1:14: vm.memory must be at least 2MiB and a "
	           "multiple of 4KiB");
	expect_err("vm: {memory: 2GB}\n",
	           "vm.yaml:1:14: expected a size (bytes, or a number with "
	           "KiB, MiB, GiB or TiB), got '2GB' (did you mean '2GiB'?)");
	expect_err("vm: {memory: 2GiB, maxphyaddr: 64}\n",
	           "vm.yaml:1:32: 64 is out of range (32..52)");
	expect_err("vm: {memory: 2GiB, firmware: {planner: seabios}}\n",
	           "vm.yaml:1:40: expected one of hvmloader, improved, ovmf, "
	           "got 'seabios'");
	expect_err("vm: {memory: 2GiB, firmware: {mmio_hole: 1GiB}}\n",
	           "vm.yaml:1:31: unknown key 'mmio_hole' in vm.firmware");
	expect_err("vm: {memory: 2GiB, reserved: [{start: 0xf2000001, end: "
	           "0xf2800000}]}\n",
	           "vm.yaml:1:31: vm.reserved: start and end must be 4 KiB "
	           "aligned with start < end (end is exclusive)");
	expect_err("vm: {memory: 2GiB, devices: [{bdf: \"01:02.0\"}]}\n",
	           "vm.yaml:1:36: expected a bus-0 device address like "
	           "\"00:02.0\", got '01:02.0'");
	expect_err("vm: {memory: 2GiB, devices: [{bdf: \"00:02.0\", bars: "
	           "[{index: 0, kind: mem_64, size: 4KiB}]}]}\n",
	           "vm.yaml:1:71: expected one of io, mem32, mem64, rom, got "
	           "'mem_64' (did you mean 'mem64'?)");
	expect_err("vm: {memory: 2GiB, devices: [{bdf: \"00:02.0\", bars: "
	           "[{index: 7, kind: io, size: 4}]}]}\n",
	           "vm.yaml:1:62: 7 is out of range (0..6)");
	expect_err("vm: {memory: 2GiB, devices: {bdf: 1}}\n",
	           "vm.yaml:1:29: expected a sequence for vm.devices, got a "
	           "mapping");
}

static void bdf_round_trips(void **state)
{
	(void)state;
	uint8_t devfn = 0;
	char buf[16];
	assert_true(p2mk_parse_bdf("00:1f.7", &devfn));
	assert_int_equal(devfn, 0xff);
	p2mk_format_bdf(devfn, buf, sizeof(buf));
	assert_string_equal(buf, "00:1f.7");
	assert_false(p2mk_parse_bdf("00:20.0", &devfn));
	assert_false(p2mk_parse_bdf("00:02.8", &devfn));
	assert_false(p2mk_parse_bdf("00:02.0x", &devfn));
	assert_false(p2mk_parse_bdf("0:2.0", &devfn));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(issue12_example_parses_field_by_field),
	    cmocka_unit_test(omitted_options_keep_the_layout_defaults),
	    cmocka_unit_test(a_whole_scenario_is_a_vm_file),
	    cmocka_unit_test(errors_name_file_line_column),
	    cmocka_unit_test(bdf_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
