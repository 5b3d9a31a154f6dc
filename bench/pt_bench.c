// SPDX-License-Identifier: BSD-2-Clause
/*
 * `p2mkit bench pt`: the page-table engine against its floors.
 *
 * Every operation is timed against what no page-table code can beat on
 * the same machine in the same run:
 *  - map_4k / unmap_4k: memset of as many bytes as the 4 KiB entries the
 *    range needs (8 per page);
 *  - map_super: memset of the (few) superpage entries written;
 *  - lookup_random: random reads from a flat array with one 8-byte entry
 *    per page, with the same index sequence.
 * Page-table pages come from an arena allocated and touched before any
 * timing, as a hypervisor's page pool would be; pages given back are
 * scrubbed on free (the mm_ops contract wants zeroed pages), and that
 * scrubbing is inside the unmap timing.
 */
#include "pt_bench.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <p2mkit/pt.h>

/* ---- an arena allocator implementing struct p2mk_mm_ops -------------- */

/*
 * Free pages are kept in a separate stack of pointers (as hypervisors keep
 * page descriptors apart from the pages), so allocating never touches the
 * page itself: the engine's first write is the first touch.
 */
struct arena {
	uint8_t *base;
	size_t npages, next;
	void **stack;
	size_t nfree;
};

static void *arena_alloc(void *ctx)
{
	struct arena *a = ctx;
	if (a->nfree)
		return a->stack[--a->nfree]; /* scrubbed when freed */
	if (a->next == a->npages)
		return NULL;
	return a->base + (a->next++ << P2MK_PAGE_SHIFT);
}

static void arena_free(void *ctx, void *page)
{
	struct arena *a = ctx;
	memset(page, 0, P2MK_PAGE_SIZE);
	a->stack[a->nfree++] = page;
}

static uint64_t arena_v2p(void *ctx, void *va)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)va;
}

static void *arena_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	/* identity map, like the test allocator */
	// NOLINTNEXTLINE(performance-no-int-to-ptr)
	return (void *)(uintptr_t)pa;
}

/*
 * Both the tables' arena and the floor's flat array come from the same
 * kind of memory: 2 MiB-aligned, with transparent huge pages requested,
 * so neither side is charged TLB misses the other is spared.
 */
static void *big_alloc(size_t bytes)
{
	const size_t align = (size_t)2 << 20;
	bytes = (bytes + align - 1) & ~(align - 1);
	void *p = aligned_alloc(align, bytes);
	if (p != NULL)
		(void)madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

/* ---- timing ---------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: the same index stream for the engine and the floor. */
static inline uint64_t next_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * UINT64_C(2685821657736338717);
}

/* Keep the compiler from discarding what the floors read and write. */
static volatile uint64_t sink;

static double best(double a, double b)
{
	return a < b ? a : b;
}

int pt_bench_run(bool quick, struct pt_bench_result out[PT_BENCH_NRESULTS],
                 double *single_ns, const char **err)
{
	const uint64_t G1 = UINT64_C(1) << 18;
	const uint64_t npages = quick ? G1 : 64 * G1;
	const uint64_t nlookup = quick ? UINT64_C(1) << 20 : UINT64_C(1) << 21;
	const int runs = 5;
	const uint64_t gfn0 = 4 * G1, mfn0 = 1024 * G1;
	const char *why = NULL;

	/* tables for 4 KiB pages: one per 512 pages plus the levels above */
	struct arena ar = {0};
	ar.npages = npages / 512 + npages / G1 + 64;
	ar.base = big_alloc(ar.npages * P2MK_PAGE_SIZE);
	/* the floor buffer doubles as the flat array for lookups */
	uint64_t *flat = big_alloc(npages * 8);
	ar.stack = malloc(ar.npages * sizeof(*ar.stack));
	if (ar.base == NULL || flat == NULL || ar.stack == NULL) {
		why = "out of memory";
		goto out;
	}
	memset(ar.base, 0, ar.npages * P2MK_PAGE_SIZE);
	memset(flat, 0, npages * 8);

	struct p2mk_mm_ops mm = {arena_alloc, arena_free, arena_v2p, arena_p2v,
	                         &ar};
	struct p2mk_pt_attrs attrs = {P2MK_PT_R | P2MK_PT_W | P2MK_PT_X, 6, 0,
	                              0, P2MK_PT_IPAT};
	for (int i = 0; i < PT_BENCH_NRESULTS; i++)
		out[i] = (struct pt_bench_result){0};
	out[0].name = "map_4k";
	out[1].name = "map_super";
	out[2].name = "lookup_random";
	out[3].name = "unmap_4k";
	double t[PT_BENCH_NRESULTS], f[PT_BENCH_NRESULTS];
	for (int i = 0; i < PT_BENCH_NRESULTS; i++)
		t[i] = f[i] = 1e30;
	double single = 1e30;

	for (int run = 0; run < runs; run++) {
		struct p2mk_pt pt;
		struct p2mk_pt_leaf leaf;
		uint64_t t0, t1, acc = 0;
		if (p2mk_pt_init(&pt, &p2mk_pt_fmt_ept4, &mm, NULL)) {
			why = "p2mk_pt_init failed";
			goto out;
		}
		/* the arena is identity-mapped, like a hypervisor directmap */
		p2mk_pt_set_direct_map(&pt, 0);

		/* map_4k and its floor */
		t0 = now_ns();
		enum p2mk_err e = p2mk_pt_map(
		    &pt, p2mk_gfn(gfn0), p2mk_mfn(mfn0), npages, &attrs, 0, 0);
		t1 = now_ns();
		if (e) {
			why = "map_4k failed";
			goto out;
		}
		t[0] = best(t[0], (double)(t1 - t0));
		out[0].ops = npages;
		out[0].entries = p2mk_pt_get_stats(&pt).leaves_written;
		out[0].table_pages = p2mk_pt_get_stats(&pt).table_pages;
		t0 = now_ns();
		memset(flat, 0x5a, npages * 8);
		t1 = now_ns();
		f[0] = best(f[0], (double)(t1 - t0));
		sink = flat[npages / 3];

		/*
		 * lookup_random on the 4 KiB tree, in batches of 16 through
		 * p2mk_pt_lookup_many (which overlaps the walks' misses as
		 * the floor's independent reads overlap theirs), then one at
		 * a time through p2mk_pt_lookup for reference.
		 */
		uint64_t seed = 0x9e3779b97f4a7c15u;
		t0 = now_ns();
		for (uint64_t i = 0; i < nlookup; i += 16) {
			p2mk_gfn_t gs[16];
			struct p2mk_pt_leaf ls[16];
			enum p2mk_err es[16];
			for (int k = 0; k < 16; k++)
				gs[k] =
				    p2mk_gfn(gfn0 + next_rand(&seed) % npages);
			p2mk_pt_lookup_many(&pt, gs, 16, ls, es);
			for (int k = 0; k < 16; k++)
				if (es[k] == P2MK_OK)
					acc += ls[k].mfn.v;
		}
		t1 = now_ns();
		t[2] = best(t[2], (double)(t1 - t0));
		seed = 0x9e3779b97f4a7c15u;
		t0 = now_ns();
		for (uint64_t i = 0; i < nlookup; i++) {
			uint64_t g = gfn0 + next_rand(&seed) % npages;
			if (p2mk_pt_lookup(&pt, p2mk_gfn(g), &leaf) == P2MK_OK)
				acc += leaf.mfn.v;
		}
		t1 = now_ns();
		single = best(single, (double)(t1 - t0));
		seed = 0x9e3779b97f4a7c15u;
		t0 = now_ns();
		for (uint64_t i = 0; i < nlookup; i++)
			acc += flat[next_rand(&seed) % npages];
		t1 = now_ns();
		f[2] = best(f[2], (double)(t1 - t0));
		sink = acc;
		out[2].ops = nlookup;
		out[2].entries = nlookup;
		out[2].table_pages = p2mk_pt_get_stats(&pt).table_pages;

		/* unmap_4k (one call over the range) and its floor */
		uint64_t present = p2mk_pt_get_stats(&pt).leaves_written;
		t0 = now_ns();
		e = p2mk_pt_unmap(&pt, p2mk_gfn(gfn0), npages);
		t1 = now_ns();
		if (e) {
			why = "unmap failed";
			goto out;
		}
		t[3] = best(t[3], (double)(t1 - t0));
		out[3].ops = npages;
		out[3].entries = present;
		out[3].table_pages = p2mk_pt_get_stats(&pt).table_pages;
		t0 = now_ns();
		memset(flat, 0, npages * 8);
		t1 = now_ns();
		f[3] = best(f[3], (double)(t1 - t0));
		sink = flat[npages / 5];

		/* map_super: 1 GiB leaves where alignment allows */
		uint64_t w0 = p2mk_pt_get_stats(&pt).leaves_written;
		t0 = now_ns();
		e = p2mk_pt_map(&pt, p2mk_gfn(gfn0), p2mk_mfn(mfn0), npages,
		                &attrs, P2MK_PT_ORDER_ANY, 0);
		t1 = now_ns();
		if (e) {
			why = "map_super failed";
			goto out;
		}
		t[1] = best(t[1], (double)(t1 - t0));
		out[1].ops = npages;
		out[1].entries = p2mk_pt_get_stats(&pt).leaves_written - w0;
		out[1].table_pages = p2mk_pt_get_stats(&pt).table_pages;
		t0 = now_ns();
		memset(flat, 0x33, out[1].entries * 8);
		t1 = now_ns();
		f[1] = best(f[1], (double)(t1 - t0));
		sink = flat[0];

		p2mk_pt_destroy(&pt);
	}
	for (int i = 0; i < PT_BENCH_NRESULTS; i++) {
		out[i].ns_per_op = t[i] / (double)out[i].ops;
		out[i].floor_ns_per_op = f[i] / (double)out[i].ops;
	}
	if (single_ns)
		*single_ns = single / (double)out[2].ops;
out:
	free(ar.base);
	free(ar.stack);
	free(flat);
	if (err)
		*err = why;
	return why ? -1 : 0;
}
