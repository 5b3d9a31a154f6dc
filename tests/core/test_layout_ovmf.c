// SPDX-License-Identifier: BSD-2-Clause
/*
 * ovmf mode against EDK2's window rules (landscape §5 items 5 and 9): the
 * 1/8 and 1/4 dynamic windows at 46 bits (8 TiB and 16 TiB), the classic
 * 32 GiB window and its X-PciMmio64Mb override, and the single UC MTRR
 * over the 32-bit hole.
 */
#include "test_layout_common.h"

#define TIB(x) ((uint64_t)(x) << 40)

/* Eight GPUs, each needing 1 TiB of 64-bit space, and a virtio device. */
static void eight_gpus(struct p2mk_layout_input *in)
{
	tl_input(in, GIB(64));
	in->maxphyaddr = 46;
	for (unsigned i = 0; i < 8; i++) {
		struct p2mk_layout_dev *d = tl_dev(in, (uint8_t)((4 + i) << 3),
		                                   0x10de, 0x2335, 0x0302, 1);
		tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(16));
		tl_bar(d, 1, P2MK_BAR_MEM64, true, TIB(1));
	}
	struct p2mk_layout_dev *v = tl_dev(in, 0x18, 0x1af4, 0x1041, 0x0200, 1);
	tl_bar(v, 4, P2MK_BAR_MEM64, true, KIB(16));
}

static unsigned unplaced(const struct p2mk_layout_output *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < out->nbars; i++)
		n += !out->bars[i].placed;
	return n;
}

static void eighth_rule_gives_8tib_and_runs_out_quarter_gives_16tib(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	eight_gpus(&in);
	in.fw.ovmf_window = P2MK_OVMF_EIGHTH;
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_OVMF);
	assert_int_equal(gfn_bytes_t(p2mk_gfn(out->high_mmio.pages)), TIB(8));
	assert_int_equal(gfn_bytes_t(out->high_mmio.first), TIB(56));
	assert_true(tl_has(out, P2MK_FIND_OVMF_APERTURE_FULL));
	assert_int_equal(unplaced(out), 1);
	in.fw.ovmf_window = P2MK_OVMF_QUARTER;
	out = tl_run(&in, P2MK_LAYOUT_OVMF);
	assert_int_equal(gfn_bytes_t(p2mk_gfn(out->high_mmio.pages)), TIB(16));
	assert_int_equal(gfn_bytes_t(out->high_mmio.first), TIB(48));
	assert_false(tl_has(out, P2MK_FIND_OVMF_APERTURE_FULL));
	assert_int_equal(unplaced(out), 0);
	tl_check_replay(&in, out, true);
}

/* LXD #14381: a 24 GB GPU (32 GiB BAR) in the classic 32 GiB window. */
static void classic_window_fits_only_with_x_pcimmio64mb(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(8));
	in.fw.ovmf_window = P2MK_OVMF_CLASSIC;
	struct p2mk_layout_dev *d =
	    tl_dev(&in, 0x28, 0x10de, 0x2236, 0x0302, 1);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(16));
	tl_bar(d, 1, P2MK_BAR_MEM64, true, GIB(32));
	tl_bar(d, 3, P2MK_BAR_MEM64, true, MIB(32));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_OVMF);
	assert_int_equal(gfn_bytes_t(p2mk_gfn(out->high_mmio.pages)), GIB(32));
	/* above RAM (4 GiB + 6 GiB) rounded to the window size */
	assert_int_equal(gfn_bytes_t(out->high_mmio.first), GIB(32));
	assert_true(tl_res(out, 0, 1)->placed);
	assert_false(tl_res(out, 0, 3)->placed);
	assert_true(tl_has(out, P2MK_FIND_OVMF_APERTURE_FULL));
	in.fw.has_pci_mmio64_mb = true;
	in.fw.pci_mmio64_mb = 65536;
	out = tl_run(&in, P2MK_LAYOUT_OVMF);
	assert_int_equal(gfn_bytes_t(p2mk_gfn(out->high_mmio.pages)), GIB(64));
	assert_int_equal(gfn_bytes_t(out->high_mmio.first), GIB(64));
	assert_int_equal(unplaced(out), 0);
	/* a value above 16 TiB is ignored: back to 32 GiB */
	in.fw.pci_mmio64_mb = 0x1000001;
	out = tl_run(&in, P2MK_LAYOUT_OVMF);
	assert_int_equal(gfn_bytes_t(p2mk_gfn(out->high_mmio.pages)), GIB(32));
}

/* Pain point 5: a prefetchable BAR in the 32-bit hole is UC for good. */
static void uc_mtrr_over_32bit_hole_catches_prefetchable_bar(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(4));
	struct p2mk_layout_dev *d =
	    tl_dev(&in, 0x10, 0x1af4, 0x1050, 0x0300, 1);
	tl_bar(d, 0, P2MK_BAR_MEM32, true, MIB(256));
	tl_bar(d, 2, P2MK_BAR_MEM32, false, KIB(16));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_OVMF);
	/* Q35 with 4 GiB: 2 GiB below 4 GiB, UC over [2 GiB, 4 GiB) */
	assert_int_equal(out->low_ram_end.v, 0x80000);
	assert_int_equal(out->vcnt_used, 1);
	assert_int_equal(tl_res(out, 0, 0)->addr.v, 0xC0000000);
	assert_int_equal(tl_effective(&in, out, 0xC0000000), P2MK_MT_UC);
	assert_true(tl_has(out, P2MK_FIND_BAR_UC_MTRR));
	tl_check_replay(&in, out, true);
	/* the improved planner keeps it WB so the guest can pick WC */
	out = tl_run(&in, P2MK_LAYOUT_IMPROVED);
	assert_null(out->error);
	assert_int_equal(tl_effective(&in, out, tl_res(out, 0, 0)->addr.v),
	                 P2MK_MT_WB);
	assert_int_equal(tl_effective(&in, out, tl_res(out, 0, 2)->addr.v),
	                 P2MK_MT_UC);
}

/* UC32 base rounds up so one MTRR covers [base, 4 GiB). */
static void uc32_size_is_truncated_to_a_power_of_two(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(2) + MIB(512)); /* 2.5 GiB: all below 4 GiB */
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_OVMF);
	assert_int_equal(out->low_ram_end.v, 0xA0000);
	assert_int_equal(gfn_bytes_t(out->intent[0].first), 0xC0000000);
	assert_int_equal(tl_effective(&in, out, 0xBFFFF000), P2MK_MT_WB);
	assert_int_equal(tl_effective(&in, out, 0xC0000000), P2MK_MT_UC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        eighth_rule_gives_8tib_and_runs_out_quarter_gives_16tib),
	    cmocka_unit_test(classic_window_fits_only_with_x_pcimmio64mb),
	    cmocka_unit_test(uc_mtrr_over_32bit_hole_catches_prefetchable_bar),
	    cmocka_unit_test(uc32_size_is_truncated_to_a_power_of_two),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
