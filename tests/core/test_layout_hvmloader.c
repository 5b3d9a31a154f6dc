// SPDX-License-Identifier: BSD-2-Clause
/*
 * hvmloader mode against xen §13: the worked example of §13.3, hole
 * growth, relocation chunks, huge BARs, RMRR skipping, VCNT exhaustion,
 * the xenpci option both ways, the PIIX4 assertion, INTx and the I/O
 * window.  Every MTRR write sequence is also replayed through the mtrr
 * layer (no #GP) and checked page by page at the BARs.
 */
#include "test_layout_common.h"

/* 00:02.0 Xen platform device as QEMU builds it: I/O 0x100 + 16 MiB. */
static void add_xenpci(struct p2mk_layout_input *in)
{
	struct p2mk_layout_dev *d = tl_dev(in, 0x10, 0x5853, 0x0001, 0xff80, 1);
	tl_bar(d, 0, P2MK_BAR_IO, false, 0x100);
	tl_bar(d, 1, P2MK_BAR_MEM32, true, MIB(16));
}

static void worked_example_xenpci_bar_at_fb000000_three_uc_mtrrs(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(2));
	in.fw.xen_platform_pci_bar_uc = false;
	add_xenpci(&in);
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	const struct p2mk_layout_bar_result *r = tl_res(out, 0, 1);
	assert_true(r->placed);
	assert_int_equal(r->addr.v, 0xFB000000);
	assert_int_equal(r->reason, P2MK_BAR_XENPCI_TOP);
	assert_int_equal(out->vcnt_used, 3);
	const uint64_t base[3] = {0xF0000000, 0xF8000000, 0xFA000000};
	const uint64_t size[3] = {MIB(128), MIB(32), MIB(16)};
	tl_expect_var_writes(out, 39, base, size, 3);
	/* defType is written last: E | FE | WB */
	assert_int_equal(out->writes[out->nwrites - 1].msr, 0x2ff);
	assert_int_equal(out->writes[out->nwrites - 1].value, 0xc06);
	tl_check_replay(&in, out, true);
	assert_int_equal(tl_effective(&in, out, 0xFB000000), P2MK_MT_WB);
	assert_int_equal(tl_effective(&in, out, 0xFAFFF000), P2MK_MT_UC);
	assert_int_equal(out->low_mmio.first.v, 0xF0000);
	assert_false(tl_has(out, P2MK_FIND_BAR_UC_MTRR));
}

static void xenpci_option_on_bar_uc_under_two_mtrrs(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(2));
	add_xenpci(&in);
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	const struct p2mk_layout_bar_result *r = tl_res(out, 0, 1);
	assert_int_equal(r->addr.v, 0xF0000000);
	assert_int_equal(r->reason, P2MK_BAR_LOW);
	const uint64_t base[2] = {0xF0000000, 0xF8000000};
	const uint64_t size[2] = {MIB(128), MIB(64)};
	tl_expect_var_writes(out, 39, base, size, 2);
	assert_int_equal(tl_effective(&in, out, 0xF0000000), P2MK_MT_UC);
	assert_true(tl_has(out, P2MK_FIND_BAR_UC_MTRR));
	/* I/O BAR in the I/O window, INTA of slot 2 on link 2 = IRQ 11 */
	assert_int_equal(tl_res(out, 0, 0)->port, 0xC000);
	assert_int_equal(out->devs[0].link, 2);
	assert_int_equal(out->devs[0].irq, 11);
	assert_int_equal(out->devs[0].command, 0x7);
}

static void xenpci_over_reserved_region_is_reported(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(4));
	in.fw.xen_platform_pci_bar_uc = false;
	tl_reserved(&in, 0xFB000000, 0xFB100000);
	add_xenpci(&in);
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_int_equal(tl_res(out, 0, 1)->addr.v, 0xFB000000);
	assert_true(tl_has(out, P2MK_FIND_XENPCI_OVER_RESERVED));
}

static void hole_grows_and_ram_relocates_in_65535_page_chunks(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(4));
	for (unsigned i = 0; i < 3; i++) {
		struct p2mk_layout_dev *d = tl_dev(&in, (uint8_t)((3 + i) << 3),
		                                   0x1af4, 0x1000, 0x0200, 0);
		tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(256));
	}
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_true(tl_has(out, P2MK_FIND_HOLE_GROWN));
	assert_int_equal(out->low_mmio.first.v, 0xC0000);
	/* 0x30000 pages from 0xC0000 up, in chunks, top chunk first */
	assert_int_equal(out->nrelocs, 4);
	uint64_t low = 0xF0000, high = 0x110000, total = 0;
	for (unsigned i = 0; i < out->nrelocs; i++) {
		uint64_t n = i < 3 ? 65535 : 0x30000 - 3 * 65535;
		low -= n;
		assert_int_equal(out->relocs[i].pages, n);
		assert_int_equal(out->relocs[i].src.v, low);
		assert_int_equal(out->relocs[i].dst.v, high);
		high += n;
		total += n;
	}
	assert_int_equal(total, 0x30000);
	assert_int_equal(out->low_ram_end.v, 0xC0000);
	assert_int_equal(out->high_ram_end.v, 0x140000);
	assert_int_equal(tl_res(out, 0, 0)->addr.v, 0xC0000000);
	assert_int_equal(tl_res(out, 2, 0)->addr.v, 0xE0000000);
	tl_check_replay(&in, out, true);
}

static void no_relocation_keeps_hole_and_moves_bars_nowhere(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(4));
	in.fw.allow_memory_relocate = false;
	for (unsigned i = 0; i < 3; i++) {
		struct p2mk_layout_dev *d = tl_dev(&in, (uint8_t)((3 + i) << 3),
		                                   0x1af4, 0x1000, 0x0200, 0);
		tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(256));
	}
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_int_equal(out->nrelocs, 0);
	assert_int_equal(out->low_mmio.first.v, 0xF0000);
	/* a 256 MiB BAR cannot fit in the 192 MiB hole */
	assert_false(tl_res(out, 0, 0)->placed);
	assert_int_equal(tl_res(out, 0, 0)->reason, P2MK_BAR_NO_SPACE);
}

static void mmio_hole_size_moves_start_without_relocation(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(4));
	in.fw.has_mmio_hole_size = true;
	in.fw.mmio_hole_size = MIB(1024);
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_int_equal(out->low_mmio.first.v, 0xC0000);
	assert_int_equal(out->nrelocs, 0);
	assert_int_equal(out->low_ram_end.v, 0xC0000);
	assert_int_equal(out->high_ram_end.v, 0x140000);
	/* a hole smaller than the default is ignored, as hvmloader does */
	in.fw.mmio_hole_size = MIB(128);
	out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_true(tl_has(out, P2MK_FIND_MMIO_HOLE_IGNORED));
	assert_int_equal(out->low_mmio.first.v, 0xF0000);
}

static void huge_64bit_bar_goes_high_without_growing_the_hole(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(2));
	struct p2mk_layout_dev *d =
	    tl_dev(&in, 0x20, 0x10de, 0x1db4, 0x0302, 1);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(16));
	tl_bar(d, 1, P2MK_BAR_MEM64, true, GIB(16));
	tl_bar(d, 3, P2MK_BAR_MEM64, true, MIB(32));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_false(tl_has(out, P2MK_FIND_HOLE_GROWN));
	assert_int_equal(out->nrelocs, 0);
	assert_int_equal(tl_res(out, 0, 1)->addr.v, GIB(16));
	assert_int_equal(tl_res(out, 0, 1)->reason, P2MK_BAR_HIGH);
	/* the small 64-bit BAR still fits low */
	assert_int_equal(tl_res(out, 0, 3)->reason, P2MK_BAR_LOW);
	assert_true(out->high_mmio.present);
	assert_int_equal(gfn_bytes_t(out->high_mmio.first), GIB(16));
	tl_check_replay(&in, out, true);
}

static void too_big_64bit_bar_advances_base_and_later_ones_fail(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(2));
	in.maxphyaddr = 36;
	struct p2mk_layout_dev *a = tl_dev(&in, 0x20, 0x10de, 1, 0x0302, 0);
	tl_bar(a, 0, P2MK_BAR_MEM64, true, GIB(64));
	struct p2mk_layout_dev *b = tl_dev(&in, 0x28, 0x10de, 2, 0x0302, 0);
	tl_bar(b, 0, P2MK_BAR_MEM64, true, GIB(2));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_false(tl_res(out, 0, 0)->placed);
	assert_false(tl_res(out, 1, 0)->placed); /* would fit at 4 GiB */
	assert_true(tl_has(out, P2MK_FIND_HIGH_BASE_ADVANCED));
	/* improved places the one that fits */
	out = tl_run(&in, P2MK_LAYOUT_IMPROVED);
	assert_true(tl_res(out, 1, 0)->placed);
	assert_false(tl_res(out, 0, 0)->placed);
	assert_non_null(out->error);
}

/*
 * Found by the soak (test_layout_random, P2MK_SEED=698894573): a WB 16 GiB
 * and a 1 MiB BAR first, then UC 16 GiB and 1 GiB in a region of their own
 * left the 1 GiB one out of a 48 GiB window hvmloader fills completely.
 */
static void improved_places_high_bars_hvmloader_places(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, MIB(11539));
	in.maxphyaddr = 36;
	in.fw.allow_memory_relocate = false;
	struct p2mk_layout_dev *a = tl_dev(&in, 0x18, 0x8086, 1, 0x0300, 1);
	tl_bar(a, 0, P2MK_BAR_MEM64, true, GIB(16));
	tl_bar(a, 2, P2MK_BAR_MEM64, false, GIB(16));
	struct p2mk_layout_dev *b = tl_dev(&in, 0x20, 0x8086, 2, 0x0200, 1);
	tl_bar(b, 0, P2MK_BAR_MEM64, false, GIB(1));
	tl_bar(b, 2, P2MK_BAR_MEM64, true, MIB(1));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_null(out->error);
	out = tl_run(&in, P2MK_LAYOUT_IMPROVED);
	assert_null(out->error);
	for (unsigned i = 0; i < out->nbars; i++)
		assert_true(out->bars[i].placed);
	tl_check_replay(&in, out, true);
}

/*
 * Found by the soak (test_layout_random, P2MK_SEED=1177061349): when not
 * every low BAR fits, the largest-first packing jumped past a reserved
 * region at 0xefb00000 and left the space below it unused, so a second
 * 128 MiB BAR was dropped that hvmloader places.
 */
static void improved_fills_the_gap_below_a_reserved_region(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, UINT64_C(0x29e000000));
	in.maxphyaddr = 38;
	in.fw.allow_memory_relocate = false;
	tl_reserved(&in, 0xdde00000, 0xdde0d000);
	tl_reserved(&in, 0xefb00000, 0xefb14000);
	struct p2mk_layout_dev *a = tl_dev(&in, 0x18, 0x8086, 1, 0x0300, 1);
	tl_bar(a, 0, P2MK_BAR_MEM32, true, MIB(128));
	tl_bar(a, 2, P2MK_BAR_MEM64, true, KIB(16));
	tl_bar(a, 4, P2MK_BAR_MEM32, true, MIB(32));
	struct p2mk_layout_dev *b = tl_dev(&in, 0x20, 0x8086, 2, 0x0200, 1);
	tl_bar(b, 0, P2MK_BAR_MEM32, true, MIB(2));
	tl_bar(b, 1, P2MK_BAR_MEM32, false, KIB(512));
	tl_bar(b, 2, P2MK_BAR_MEM32, false, MIB(32));
	tl_bar(b, 4, P2MK_BAR_MEM32, false, MIB(16));
	struct p2mk_layout_dev *c = tl_dev(&in, 0x28, 0x8086, 3, 0x0100, 1);
	tl_bar(c, 0, P2MK_BAR_MEM64, true, MIB(32));
	tl_bar(c, 2, P2MK_BAR_MEM32, false, MIB(256));
	tl_bar(c, 4, P2MK_BAR_MEM32, true, MIB(128));
	tl_bar(c, 5, P2MK_BAR_MEM32, true, KIB(32));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_true(tl_res(out, 0, 0)->placed);
	assert_true(tl_res(out, 2, 4)->placed);
	assert_false(tl_res(out, 2, 2)->placed); /* 256 MiB: no room */
	out = tl_run(&in, P2MK_LAYOUT_IMPROVED);
	assert_true(tl_res(out, 0, 0)->placed);
	assert_true(tl_res(out, 2, 4)->placed);
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		assert_true(r->placed || (r->dev == 2 && r->index == 2));
	}
	tl_check_replay(&in, out, false);
}

static void bar32_of_2gib_is_never_placed(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(2));
	struct p2mk_layout_dev *d = tl_dev(&in, 0x20, 0x1234, 5, 0x0380, 0);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, GIB(2));
	tl_bar(d, 1, P2MK_BAR_MEM32, false, MIB(16));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_int_equal(out->low_mmio.first.v, 0x80000);
	assert_false(tl_res(out, 0, 0)->placed);
	assert_int_equal(tl_res(out, 0, 0)->reason, P2MK_BAR_NEVER_FITS);
	assert_true(tl_has(out, P2MK_FIND_BAR32_NEVER_PLACED));
	assert_int_equal(tl_res(out, 0, 1)->addr.v, 0x80000000);
}

static void rmrr_in_low_window_pulls_start_to_low_ram_end(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(2));
	tl_reserved(&in, 0xF2000000, 0xF2800000);
	struct p2mk_layout_dev *d = tl_dev(&in, 0x20, 0x1234, 5, 0x0200, 0);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(32));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_true(tl_has(out, P2MK_FIND_RMRR_PULLS_HOLE));
	assert_int_equal(out->low_mmio.first.v, 0x80000);
	assert_int_equal(tl_res(out, 0, 0)->addr.v, 0x80000000);
	/* [0x80000000, 0xFC000000): 1G + 512M + 256M + 128M + 64M */
	assert_int_equal(out->vcnt_used, 5);
	tl_check_replay(&in, out, true);
}

static void bars_skip_rmrr_inside_the_hole(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(4));
	tl_reserved(&in, 0xF2000000, 0xF2800000);
	struct p2mk_layout_dev *d = tl_dev(&in, 0x20, 0x1234, 5, 0x0200, 0);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(32));
	tl_bar(d, 1, P2MK_BAR_MEM32, false, MIB(16));
	tl_bar(d, 2, P2MK_BAR_MEM32, false, MIB(16));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_false(tl_has(out, P2MK_FIND_RMRR_PULLS_HOLE));
	assert_int_equal(tl_res(out, 0, 0)->addr.v, 0xF0000000);
	assert_int_equal(tl_res(out, 0, 1)->addr.v, 0xF3000000);
	assert_int_equal(tl_res(out, 0, 2)->addr.v, 0xF4000000);
}

static void rmrr_above_2gib_lowers_low_ram(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(3));
	tl_reserved(&in, 0xA0100000, 0xA0200000);
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_true(tl_has(out, P2MK_FIND_RMRR_LOWERS_RAM));
	assert_int_equal(out->low_ram_end.v, 0xA0000);
	assert_int_equal(out->high_ram_end.v, 0x100000 + 0x20000);
}

/* A hole start that is not a power of two eats the 8 variable MTRRs. */
static void vcnt_exhaustion_leaves_bars_wb(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, 0x7ABCD000);
	tl_reserved(&in, 0xFBFFF000, 0xFC000000);
	const uint64_t sizes[5] = {GIB(1), MIB(512), MIB(256), MIB(128),
	                           MIB(32)};
	struct p2mk_layout_dev *d = tl_dev(&in, 0x20, 0x1234, 5, 0x0200, 0);
	for (unsigned i = 0; i < 5; i++)
		tl_bar(d, (uint8_t)i, P2MK_BAR_MEM32, false, sizes[i]);
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_int_equal(out->low_mmio.first.v, 0x7ABCD);
	assert_int_equal(out->vcnt_used, 8);
	assert_true(tl_has(out, P2MK_FIND_MTRR_EXHAUSTED));
	assert_int_equal(tl_res(out, 0, 0)->addr.v, 0x80000000);
	assert_int_equal(tl_effective(&in, out, 0x80000000), P2MK_MT_UC);
	assert_int_equal(tl_effective(&in, out, 0xC0000000), P2MK_MT_WB);
	assert_int_equal(tl_effective(&in, out, 0xF8000000), P2MK_MT_WB);
	tl_check_replay(&in, out, false);
	/* improved covers every UC BAR within VCNT */
	out = tl_run(&in, P2MK_LAYOUT_IMPROVED);
	assert_null(out->error);
	assert_true(out->vcnt_used <= 8);
	tl_check_replay(&in, out, true);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(
		    tl_effective(&in, out, tl_res(out, 0, i)->addr.v),
		    P2MK_MT_UC);
}

static void class_0680_other_than_piix4_is_hvmloaders_assertion(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(2));
	struct p2mk_layout_dev *d =
	    tl_dev(&in, 0x18, 0x1b36, 0x0001, 0x0680, 0);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, MIB(1));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_non_null(out->error);
	assert_non_null(strstr(out->error, "HVMLoader assertion"));
	assert_int_equal(out->error_dev, 0);
	assert_int_equal(out->nwrites, 0);
	assert_int_equal(tl_res(out, 0, 0)->reason, P2MK_BAR_NOT_REACHED);
	assert_true(tl_has(out, P2MK_FIND_PIIX4_ASSERT));
	/* the real PIIX4 PM passes */
	in.devs[0].vendor = 0x8086;
	in.devs[0].device = 0x7113;
	out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_null(out->error);
	assert_true(tl_res(out, 0, 0)->placed);
}

static void rom_and_io_bars_are_placed(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(1));
	struct p2mk_layout_dev *d =
	    tl_dev(&in, 0x18, 0x8086, 0x100e, 0x0200, 1);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, KIB(128));
	tl_bar(d, 1, P2MK_BAR_IO, false, 0x40);
	tl_bar(d, 6, P2MK_BAR_ROM, false, KIB(256));
	struct p2mk_layout_output *out = tl_run(&in, P2MK_LAYOUT_HVMLOADER);
	assert_int_equal(tl_res(out, 0, 6)->addr.v, 0xF0000000);
	assert_int_equal(tl_res(out, 0, 0)->addr.v, 0xF0040000);
	assert_int_equal(tl_res(out, 0, 1)->port, 0xC000);
	/* slot 3 INTA: link 3 = IRQ 5 */
	assert_int_equal(out->devs[0].irq, 5);
}

static void invalid_input_is_refused(void **st)
{
	(void)st;
	struct p2mk_layout_input in;
	tl_input(&in, GIB(1));
	struct p2mk_layout_dev *d = tl_dev(&in, 0x18, 1, 1, 0x0200, 0);
	tl_bar(d, 0, P2MK_BAR_MEM32, false, 0x3000); /* not a power of two */
	static struct p2mk_layout_output out;
	assert_int_equal(p2mk_layout_run(&in, P2MK_LAYOUT_HVMLOADER, &out),
	                 P2MK_ERR_INVAL);
	d->bars[0] = (struct p2mk_layout_bar){5, P2MK_BAR_MEM64, false, 4096};
	assert_int_equal(p2mk_layout_run(&in, P2MK_LAYOUT_HVMLOADER, &out),
	                 P2MK_ERR_INVAL);
	d->bars[0] = (struct p2mk_layout_bar){6, P2MK_BAR_MEM32, false, 4096};
	assert_int_equal(p2mk_layout_run(&in, P2MK_LAYOUT_HVMLOADER, &out),
	                 P2MK_ERR_INVAL);
	d->bars[0] = (struct p2mk_layout_bar){0, P2MK_BAR_MEM32, false, 4096};
	assert_int_equal(p2mk_layout_run(&in, P2MK_LAYOUT_HVMLOADER, &out),
	                 P2MK_OK);
	in.maxphyaddr = 31;
	assert_int_equal(p2mk_layout_run(&in, P2MK_LAYOUT_HVMLOADER, &out),
	                 P2MK_ERR_INVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(
	        worked_example_xenpci_bar_at_fb000000_three_uc_mtrrs),
	    cmocka_unit_test(xenpci_option_on_bar_uc_under_two_mtrrs),
	    cmocka_unit_test(xenpci_over_reserved_region_is_reported),
	    cmocka_unit_test(hole_grows_and_ram_relocates_in_65535_page_chunks),
	    cmocka_unit_test(no_relocation_keeps_hole_and_moves_bars_nowhere),
	    cmocka_unit_test(mmio_hole_size_moves_start_without_relocation),
	    cmocka_unit_test(huge_64bit_bar_goes_high_without_growing_the_hole),
	    cmocka_unit_test(
	        too_big_64bit_bar_advances_base_and_later_ones_fail),
	    cmocka_unit_test(improved_places_high_bars_hvmloader_places),
	    cmocka_unit_test(improved_fills_the_gap_below_a_reserved_region),
	    cmocka_unit_test(bar32_of_2gib_is_never_placed),
	    cmocka_unit_test(rmrr_in_low_window_pulls_start_to_low_ram_end),
	    cmocka_unit_test(bars_skip_rmrr_inside_the_hole),
	    cmocka_unit_test(rmrr_above_2gib_lowers_low_ram),
	    cmocka_unit_test(vcnt_exhaustion_leaves_bars_wb),
	    cmocka_unit_test(
	        class_0680_other_than_piix4_is_hvmloaders_assertion),
	    cmocka_unit_test(rom_and_io_bars_are_placed),
	    cmocka_unit_test(invalid_input_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
