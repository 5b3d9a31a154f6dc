// SPDX-License-Identifier: BSD-2-Clause
/*
 * EDK2-MtrrLib-style randomized test of the layout planners
 * (landscape §4.5).  For >= 10,000 random VMs (P2MK_SEED=N replays one
 * run):
 *  - every MTRR write is accepted by the mtrr layer, and the effective
 *    type equals the intended one at every intent-range boundary +- one
 *    page and at the first and last page of every BAR (hvmloader: unless
 *    it ran out of variable MTRRs, which it must then report);
 *  - improved places at least as many BARs as hvmloader (clear of
 *    reserved regions) and, when both place the same BARs, never writes
 *    more variable MTRRs (no tolerance: a BAR the policy wants WB is left UC
 * when WB would cost more, with a finding); it never overlaps a reserved region
 * or another BAR, and gives each BAR its per-BAR type, or fails naming what
 * does not fit;
 *  - the budget is not vacuous: with the VCNT budget (the full per-BAR
 *    policy) some layouts do need more MTRRs than hvmloader;
 *  - on small cases (16 MiB-granular windows) the improved count equals a
 *    brute-force minimum over every set of aligned UC blocks.
 * Coverage counters make sure each known hvmloader behaviour was met.
 */
#include "test_layout_common.h"

#define LAYOUTS 10000

static uint64_t pow2_between(struct test_rng *r, unsigned lo, unsigned hi)
{
	return UINT64_C(1) << (lo + test_rng_below(r, hi - lo + 1));
}

static void random_bar(struct test_rng *r, struct p2mk_layout_dev *d,
                       uint8_t idx)
{
	unsigned pick = (unsigned)test_rng_below(r, 10);
	if (pick == 0)
		tl_bar(d, idx, P2MK_BAR_IO, false, pow2_between(r, 2, 8));
	else if (pick < 6 || idx == 5)
		tl_bar(d, idx, P2MK_BAR_MEM32, test_rng_below(r, 3) == 0,
		       pow2_between(r, 12, test_rng_below(r, 20) ? 28 : 31));
	else
		tl_bar(d, idx, P2MK_BAR_MEM64, test_rng_below(r, 2) == 0,
		       pow2_between(r, 14, test_rng_below(r, 8) ? 30 : 38));
}

static void random_dev(struct test_rng *r, struct p2mk_layout_input *in,
                       uint8_t devfn)
{
	static const uint16_t classes[] = {0x0200, 0x0300, 0x0302,
	                                   0x0108, 0x0c03, 0xff80};
	bool xenpci = test_rng_below(r, 4) == 0;
	struct p2mk_layout_dev *d = tl_dev(
	    in, devfn, xenpci ? 0x5853 : 0x1af4, xenpci ? 1 : 0x1000,
	    classes[test_rng_below(r, 6)], (uint8_t)test_rng_below(r, 5));
	for (uint8_t idx = 0; idx < 6; idx++) {
		if (test_rng_below(r, 3) == 0)
			continue;
		random_bar(r, d, idx);
		if (d->bars[d->nbars - 1].kind == P2MK_BAR_MEM64)
			idx++;
	}
	if (test_rng_below(r, 6) == 0)
		tl_bar(d, 6, P2MK_BAR_ROM, false, pow2_between(r, 11, 20));
}

static void random_input(struct test_rng *r, struct p2mk_layout_input *in)
{
	uint64_t ram = MIB(64) + (test_rng_below(r, UINT64_C(16384)) << 20);
	if (test_rng_below(r, 4) == 0)
		ram += test_rng_below(r, 256) << 12; /* unaligned low RAM end */
	tl_input(in, ram);
	in->maxphyaddr = (uint8_t)(36 + test_rng_below(r, 11));
	in->fw.allow_memory_relocate = test_rng_below(r, 4) != 0;
	in->fw.xen_platform_pci_bar_uc = test_rng_below(r, 2) == 0;
	if (test_rng_below(r, 5) == 0) {
		in->fw.has_mmio_hole_size = true;
		in->fw.mmio_hole_size = MIB(64) << test_rng_below(r, 6);
	}
	unsigned ndev = 1 + (unsigned)test_rng_below(r, 6);
	for (unsigned i = 0; i < ndev; i++)
		random_dev(r, in, (uint8_t)((2 + i) << 3));
	unsigned nres =
	    test_rng_below(r, 3) == 0 ? 1 + (unsigned)test_rng_below(r, 2) : 0;
	for (unsigned i = 0; i < nres; i++) {
		uint64_t s = GIB(2) + (test_rng_below(r, 2048) << 20);
		tl_reserved(in, s, s + (test_rng_below(r, 64) + 1) * 4096);
	}
}

static bool overlaps_reserved(const struct p2mk_layout_input *in, uint64_t a,
                              uint64_t n)
{
	for (unsigned i = 0; i < in->nreserved; i++) {
		uint64_t s = gfn_bytes_t(in->reserved[i].first);
		uint64_t e = s + gfn_bytes_t(p2mk_gfn(in->reserved[i].pages));
		if (a < e && s < a + n)
			return true;
	}
	return false;
}

static unsigned placed(const struct p2mk_layout_output *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < out->nbars; i++)
		n += out->bars[i].placed;
	return n;
}

/* Does @b place exactly the BARs @a places clear of reserved regions? */
static bool same_bars(const struct p2mk_layout_input *in,
                      const struct p2mk_layout_output *a,
                      const struct p2mk_layout_output *b)
{
	for (unsigned i = 0; i < a->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &a->bars[i];
		bool clear =
		    r->placed && (r->kind == P2MK_BAR_IO ||
		                  !overlaps_reserved(in, r->addr.v, r->size));
		if (clear != b->bars[i].placed)
			return false;
	}
	return true;
}

/* BARs placed clear of reserved regions: what improved must match
 * (hvmloader's xenpci BAR may sit on an RMRR, xen §13.3; improved never
 * puts a BAR there). */
static unsigned placed_clear(const struct p2mk_layout_input *in,
                             const struct p2mk_layout_output *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *r = &out->bars[i];
		n += r->placed && (r->kind == P2MK_BAR_IO ||
		                   !overlaps_reserved(in, r->addr.v, r->size));
	}
	return n;
}

/* improved's promises on one input. */
static void check_improved(const struct p2mk_layout_input *in,
                           const struct p2mk_layout_output *out)
{
	for (unsigned i = 0; i < out->nbars; i++) {
		const struct p2mk_layout_bar_result *a = &out->bars[i];
		if (!a->placed) {
			assert_non_null(
			    out->error); /* says what does not fit */
			continue;
		}
		if (a->kind == P2MK_BAR_IO)
			continue;
		assert_false(overlaps_reserved(in, a->addr.v, a->size));
		assert_int_equal(a->addr.v & (a->size - 1), 0);
		for (unsigned j = 0; j < i; j++) {
			const struct p2mk_layout_bar_result *b = &out->bars[j];
			if (b->placed && b->kind != P2MK_BAR_IO)
				assert_false(a->addr.v < b->addr.v + b->size &&
				             b->addr.v < a->addr.v + a->size);
		}
		if (out->error == NULL &&
		    tl_effective(in, out, a->addr.v) != a->type)
			fail_msg("BAR %u/%u at %#llx size %#llx: effective %u, "
			         "intended %u",
			         a->dev, a->index,
			         (unsigned long long)a->addr.v,
			         (unsigned long long)a->size,
			         tl_effective(in, out, a->addr.v), a->type);
	}
	assert_true(out->vcnt_used <= in->vcnt);
}

/* Prints a layout (on failure, to see the case). */
static void dump(const struct p2mk_layout_input *in,
                 const struct p2mk_layout_output *out)
{
	printf("mode %s ram %#llx pa %u relocate %d uc %d\n",
	       p2mk_layout_mode_name(out->mode),
	       (unsigned long long)in->ram_pages << 12, in->maxphyaddr,
	       in->fw.allow_memory_relocate, in->fw.xen_platform_pci_bar_uc);
	for (unsigned i = 0; i < out->nbars; i++)
		printf(
		    "  bar %u/%u %s size %#llx placed %d at %#llx type %u\n",
		    out->bars[i].dev, out->bars[i].index,
		    p2mk_bar_kind_name(out->bars[i].kind),
		    (unsigned long long)out->bars[i].size, out->bars[i].placed,
		    (unsigned long long)out->bars[i].addr.v, out->bars[i].type);
	for (unsigned i = 0; i < out->nintent; i++)
		printf("  intent %#llx +%#llx pages type %u\n",
		       (unsigned long long)out->intent[i].first.v << 12,
		       (unsigned long long)out->intent[i].pages,
		       out->intent[i].type);
	for (unsigned i = 0; i < in->nreserved; i++)
		printf("  reserved %#llx +%#llx pages\n",
		       (unsigned long long)in->reserved[i].first.v << 12,
		       (unsigned long long)in->reserved[i].pages);
}

/* Does the policy want WB for this BAR (prefetchable or xenpci)? */
static bool wanted_wb(const struct p2mk_layout_input *in,
                      const struct p2mk_layout_bar_result *r)
{
	const struct p2mk_layout_dev *d = &in->devs[r->dev];
	if (d->vendor == 0x5853 && (d->device == 1 || d->device == 2))
		return true;
	for (unsigned k = 0; k < d->nbars; k++) {
		if (d->bars[k].index == r->index)
			return d->bars[k].prefetchable;
	}
	return false;
}

/* Every wb-bar-left-uc finding names a placed WB-wanted BAR now UC, and
 * their number is out->wb_left_uc; returns it. */
static unsigned check_left_uc(const struct p2mk_layout_input *in,
                              const struct p2mk_layout_output *out)
{
	unsigned n = 0;
	for (unsigned i = 0; i < out->nfindings; i++) {
		const struct p2mk_layout_finding *f = &out->findings[i];
		if (f->kind != P2MK_FIND_WB_LEFT_UC)
			continue;
		const struct p2mk_layout_bar_result *r =
		    tl_res(out, (unsigned)f->dev, (unsigned)f->bar);
		assert_true(r->placed);
		assert_true(wanted_wb(in, r));
		assert_int_equal(r->type, P2MK_MT_UC);
		assert_int_equal(f->addr.v, r->addr.v);
		n++;
	}
	assert_int_equal(n, out->wb_left_uc);
	return n;
}

struct coverage {
	unsigned finding[P2MK_FIND_COUNT];
	unsigned compared;         /* same BARs placed: counts must compare */
	unsigned fewer;            /* improved used fewer MTRRs */
	unsigned left_uc;          /* layouts where a WB BAR was left UC */
	unsigned full_policy_more; /* VCNT budget: more than hvmloader */
	unsigned more_placed;      /* improved placed BARs hvmloader did not */
	unsigned other_bars;       /* as many BARs, not the same ones */
	unsigned over_budget;      /* ... and needed more MTRRs for them */
	unsigned exact_checks;
	unsigned brute;
};

/* The MTRR budget: improved never uses more variable MTRRs than hvmloader
 * when both place the same BARs; with the VCNT budget it may. */
static void check_budget(const struct p2mk_layout_input *in,
                         const struct p2mk_layout_output *hvm,
                         const struct p2mk_layout_output *imp,
                         struct coverage *cov)
{
	assert_int_equal(imp->mtrr_budget,
	                 hvm->error == NULL ? hvm->vcnt_used : in->vcnt);
	cov->left_uc += check_left_uc(in, imp) != 0;
	bool over = tl_has(imp, P2MK_FIND_OVER_BUDGET);
	assert_int_equal(over, imp->error == NULL &&
	                           imp->vcnt_used > imp->mtrr_budget);
	if (hvm->error != NULL)
		return;
	if (!same_bars(in, hvm, imp)) {
		/* more BARs, or (when not all fit) others: their own UC
		 * blocks may exceed hvmloader's count, and the finding says
		 * so */
		cov->more_placed += placed(imp) > placed_clear(in, hvm);
		cov->other_bars += placed(imp) == placed_clear(in, hvm);
		cov->over_budget += over;
		return;
	}
	cov->compared++;
	cov->fewer += imp->vcnt_used < hvm->vcnt_used;
	if (imp->vcnt_used > hvm->vcnt_used ||
	    tl_has(imp, P2MK_FIND_MTRR_EXHAUSTED)) {
		dump(in, hvm);
		dump(in, imp);
		fail_msg("improved %u MTRRs > hvmloader %u (or no plan)",
		         imp->vcnt_used, hvm->vcnt_used);
	}
	/* the full per-BAR policy, to show the budget is what holds */
	static struct p2mk_layout_input full;
	full = *in;
	full.fw.mtrr_budget = P2MK_MTRR_BUDGET_VCNT;
	const struct p2mk_layout_output *f =
	    tl_run(&full, P2MK_LAYOUT_IMPROVED);
	assert_true(f->vcnt_used <= in->vcnt);
	cov->full_policy_more +=
	    same_bars(in, hvm, f) && f->vcnt_used > hvm->vcnt_used;
}

static void one_layout(struct test_rng *r, struct coverage *cov)
{
	static struct p2mk_layout_input in;
	static struct p2mk_layout_output hvm;
	random_input(r, &in);
	assert_int_equal(p2mk_layout_run(&in, P2MK_LAYOUT_HVMLOADER, &hvm),
	                 P2MK_OK);
	bool exhausted = false;
	for (unsigned i = 0; i < hvm.nfindings; i++) {
		cov->finding[hvm.findings[i].kind]++;
		exhausted |= hvm.findings[i].kind == P2MK_FIND_MTRR_EXHAUSTED;
	}
	if (hvm.error == NULL)
		cov->exact_checks += tl_check_replay(&in, &hvm, !exhausted);
	const struct p2mk_layout_output *imp =
	    tl_run(&in, P2MK_LAYOUT_IMPROVED);
	for (unsigned i = 0; i < imp->nfindings; i++)
		cov->finding[imp->findings[i].kind]++;
	cov->exact_checks += tl_check_replay(&in, imp, imp->error == NULL);
	check_improved(&in, imp);
	if (hvm.error == NULL && placed(imp) < placed_clear(&in, &hvm)) {
		dump(&in, &hvm);
		dump(&in, imp);
		fail_msg("improved placed %u BARs, hvmloader %u clear of "
		         "reserved regions",
		         placed(imp), placed_clear(&in, &hvm));
	}
	static struct p2mk_layout_output imp_copy;
	imp_copy = *imp; /* tl_run's buffer is reused below */
	check_budget(&in, &hvm, &imp_copy, cov);
}

/* Smallest number of aligned 16 MiB-granular blocks in [3.5G, 4G) whose
 * union is exactly @want (bit i = unit i), by exhaustive search. */
static unsigned brute_min(uint32_t want, unsigned max_k)
{
	uint32_t blocks[64] = {0};
	unsigned nb = 0;
	for (unsigned sz = 1; sz <= 32; sz <<= 1) {
		for (unsigned at = 0; at < 32; at += sz) {
			uint32_t m =
			    (uint32_t)(((UINT64_C(1) << sz) - 1) << at);
			if ((m & want) == m)
				blocks[nb++] = m;
		}
	}
	for (unsigned k = 0; k <= max_k; k++) {
		unsigned pick[8] = {0};
		for (unsigned i = 0; i < k; i++)
			pick[i] = i;
		while (k <= nb) {
			uint32_t u = 0;
			for (unsigned i = 0; i < k; i++)
				u |= blocks[pick[i]];
			if (u == want)
				return k;
			int i = (int)k - 1;
			while (i >= 0 && pick[i] == nb - k + (unsigned)i)
				i--;
			if (i < 0)
				break;
			pick[i]++;
			for (unsigned j = (unsigned)i + 1; j < k; j++)
				pick[j] = pick[j - 1] + 1;
		}
	}
	return max_k + 1;
}

/* Small case: a few 16 MiB-multiple 32-bit BARs, hole >= 0xE0000000. */
static void one_small(struct test_rng *r, struct coverage *cov)
{
	static struct p2mk_layout_input in;
	tl_input(&in, 0xE0000000); /* low RAM ends where a 512 MiB hole */
	in.fw.allow_memory_relocate = false; /* starts: the hole is >= 3.5G */
	struct p2mk_layout_dev *d =
	    tl_dev(&in, 0x20, 0x1af4, 0x1000, 0x0200, 0);
	unsigned n = 1 + (unsigned)test_rng_below(r, 5);
	for (unsigned i = 0; i < n; i++)
		tl_bar(d, (uint8_t)i, P2MK_BAR_MEM32, test_rng_below(r, 3) == 0,
		       pow2_between(r, 24, 26));
	const struct p2mk_layout_output *out =
	    tl_run(&in, P2MK_LAYOUT_IMPROVED);
	assert_null(out->error);
	uint32_t want = 0;
	for (uint64_t u = 0; u < 32; u++) {
		uint64_t pa = GIB(3) + GIB(1) / 2 + (u << 24);
		if (tl_effective(&in, out, pa) == P2MK_MT_UC)
			want |= UINT32_C(1) << u;
	}
	unsigned bm = brute_min(want, 6);
	if (bm != out->vcnt_used)
		fail_msg("improved %u, brute force %u (mask %#x)",
		         out->vcnt_used, bm, want);
	cov->brute++;
}

static void random_layouts_meet_every_promise(void **st)
{
	(void)st;
	struct test_rng r = {test_seed(0x1a7047)};
	struct coverage cov;
	memset(&cov, 0, sizeof cov);
	for (unsigned i = 0; i < LAYOUTS; i++)
		one_layout(&r, &cov);
	for (unsigned i = 0; i < 300; i++)
		one_small(&r, &cov);
	printf("layout random: %u exact points, %u brute\n", cov.exact_checks,
	       cov.brute);
	printf("improved vs hvmloader MTRRs on %u layouts placing the same "
	       "BARs: %u fewer, 0 more; a WB BAR left UC on %u; the full "
	       "policy (VCNT budget) needs more on %u\n",
	       cov.compared, cov.fewer, cov.left_uc, cov.full_policy_more);
	printf("improved placed more BARs than hvmloader on %u layouts and "
	       "as many but others on %u, needing more MTRRs for them on "
	       "%u\n",
	       cov.more_placed, cov.other_bars, cov.over_budget);
	for (unsigned k = 0; k < P2MK_FIND_COUNT; k++)
		printf("  %-34s %u\n", p2mk_layout_finding_id(k),
		       cov.finding[k]);
	/* the hvmloader behaviours the generator must keep reaching */
	assert_true(cov.finding[P2MK_FIND_HOLE_GROWN] > 0);
	assert_true(cov.finding[P2MK_FIND_RAM_RELOCATED] > 0);
	assert_true(cov.finding[P2MK_FIND_MTRR_EXHAUSTED] > 0);
	assert_true(cov.finding[P2MK_FIND_RMRR_PULLS_HOLE] > 0);
	assert_true(cov.finding[P2MK_FIND_BAR32_NEVER_PLACED] > 0);
	assert_true(cov.finding[P2MK_FIND_HIGH_BASE_ADVANCED] > 0);
	assert_true(cov.compared > LAYOUTS / 2);
	/* the budget is exercised: without it the bound would not hold */
	assert_true(cov.full_policy_more > 0);
	assert_true(cov.left_uc > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(random_layouts_meet_every_promise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
