// SPDX-License-Identifier: BSD-2-Clause
/*
 * `p2mkit bench pt`: the page-table engine against its floors.
 *
 * Every operation is timed against what no page-table code can beat on
 * the same machine in the same run:
 *  - map_4k / unmap_4k: memset of as many bytes as the 4 KiB entries the
 *    range needs (8 per page);
 *  - map_super: memset of the (few) superpage entries written;
 *  - map_one / unmap_one: one 8-byte store per page into a flat array with
 *    one entry per page, in the same (ascending) order;
 *  - lookup_random / lookup_one: random reads from that flat array, with
 *    the same index sequence.
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
	if (p != NULL) {
		(void)madvise(p, bytes, MADV_HUGEPAGE);
		memset(p, 0, bytes);
	}
	return p;
}

/* ---- timing ---------------------------------------------------------- */

/*
 * CPU time of this thread, not wall time: on a machine shared with other
 * jobs, time the thread spends descheduled is not the engine's.  Both the
 * operations and their floors are timed the same way.
 */
static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
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

#define SEED UINT64_C(0x9e3779b97f4a7c15)

/* Keep the compiler from discarding what the floors read and write. */
static volatile uint64_t sink;

/* One benchmark run's state; t and f keep the best times over runs. */
struct bench {
	struct arena ar;
	uint64_t *flat;
	uint64_t npages, nlookup, mask, gfn0, mfn0;
	struct p2mk_mm_ops mm;
	struct p2mk_pt_attrs attrs;
	struct p2mk_pt pt;
	double t[PT_BENCH_NRESULTS], f[PT_BENCH_NRESULTS];
	struct pt_bench_result *out;
};

static void keep_best(double *best, uint64_t t0, uint64_t t1)
{
	double d = (double)(t1 - t0);
	if (d < *best)
		*best = d;
}

/* Record ops/entries/table pages of key @k after its operation. */
static void note(struct bench *b, int k, uint64_t ops, uint64_t entries)
{
	b->out[k].ops = ops;
	b->out[k].entries = entries;
	b->out[k].table_pages = p2mk_pt_get_stats(&b->pt).table_pages;
}

/* ---- the measurements ------------------------------------------------ */

static const char *bench_map_4k(struct bench *b)
{
	uint64_t t0 = now_ns();
	enum p2mk_err e =
	    p2mk_pt_map(&b->pt, p2mk_gfn(b->gfn0), p2mk_mfn(b->mfn0), b->npages,
	                &b->attrs, 0, 0);
	uint64_t t1 = now_ns();
	if (e)
		return "map_4k failed";
	keep_best(&b->t[PT_BENCH_MAP_4K], t0, t1);
	note(b, PT_BENCH_MAP_4K, b->npages,
	     p2mk_pt_get_stats(&b->pt).leaves_written);
	t0 = now_ns();
	memset(b->flat, 0x5a, b->npages * 8);
	t1 = now_ns();
	keep_best(&b->f[PT_BENCH_MAP_4K], t0, t1);
	sink = b->flat[b->npages / 3];
	return NULL;
}

/* lookup_random (batches of 16), lookup_one, and their shared floor. */
static void bench_lookups(struct bench *b)
{
	uint64_t seed = SEED, acc = 0;
	struct p2mk_pt_leaf leaf;
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < b->nlookup; i += 16) {
		p2mk_gfn_t gs[16];
		struct p2mk_pt_leaf ls[16];
		enum p2mk_err es[16];
		for (int k = 0; k < 16; k++)
			gs[k] =
			    p2mk_gfn(b->gfn0 + (next_rand(&seed) & b->mask));
		p2mk_pt_lookup_many(&b->pt, gs, 16, ls, es);
		for (int k = 0; k < 16; k++)
			acc += es[k] == P2MK_OK ? ls[k].mfn.v : 0;
	}
	uint64_t t1 = now_ns();
	keep_best(&b->t[PT_BENCH_LOOKUP_RANDOM], t0, t1);
	seed = SEED;
	t0 = now_ns();
	for (uint64_t i = 0; i < b->nlookup; i++) {
		uint64_t g = b->gfn0 + (next_rand(&seed) & b->mask);
		if (p2mk_pt_lookup(&b->pt, p2mk_gfn(g), &leaf) == P2MK_OK)
			acc += leaf.mfn.v;
	}
	t1 = now_ns();
	keep_best(&b->t[PT_BENCH_LOOKUP_ONE], t0, t1);
	seed = SEED;
	t0 = now_ns();
	for (uint64_t i = 0; i < b->nlookup; i++)
		acc += b->flat[next_rand(&seed) & b->mask];
	t1 = now_ns();
	keep_best(&b->f[PT_BENCH_LOOKUP_RANDOM], t0, t1);
	keep_best(&b->f[PT_BENCH_LOOKUP_ONE], t0, t1);
	sink = acc;
	note(b, PT_BENCH_LOOKUP_RANDOM, b->nlookup, b->nlookup);
	note(b, PT_BENCH_LOOKUP_ONE, b->nlookup, b->nlookup);
}

/* The one-page floor: one 8-byte store per page, in the same order. */
static void floor_one(struct bench *b, int k, uint64_t v)
{
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < b->npages; i++)
		b->flat[i] = v + i;
	uint64_t t1 = now_ns();
	keep_best(&b->f[k], t0, t1);
	sink = b->flat[b->npages / 7];
}

/*
 * unmap_one every page of the 4 KiB-mapped range, then map_one each back:
 * one page per call, in ascending order, the leaf tables staying in place
 * (a partial unmap keeps them), as a fault handler populating a region
 * does.  This measures the per-call cost of the engine; a random order
 * would add a cache miss per call that no page table avoids.
 */
static const char *bench_one(struct bench *b)
{
	uint64_t t0 = now_ns();
	for (uint64_t i = 0; i < b->npages; i++)
		if (p2mk_pt_unmap(&b->pt, p2mk_gfn(b->gfn0 + i), 1))
			return "unmap_one failed";
	uint64_t t1 = now_ns();
	keep_best(&b->t[PT_BENCH_UNMAP_ONE], t0, t1);
	note(b, PT_BENCH_UNMAP_ONE, b->npages, b->npages);
	floor_one(b, PT_BENCH_UNMAP_ONE, 0);
	uint64_t w0 = p2mk_pt_get_stats(&b->pt).leaves_written;
	t0 = now_ns();
	for (uint64_t i = 0; i < b->npages; i++) {
		if (p2mk_pt_map(&b->pt, p2mk_gfn(b->gfn0 + i),
		                p2mk_mfn(b->mfn0 + i), 1, &b->attrs, 0, 0))
			return "map_one failed";
	}
	t1 = now_ns();
	keep_best(&b->t[PT_BENCH_MAP_ONE], t0, t1);
	note(b, PT_BENCH_MAP_ONE, b->npages,
	     p2mk_pt_get_stats(&b->pt).leaves_written - w0);
	floor_one(b, PT_BENCH_MAP_ONE, 1);
	return NULL;
}

static const char *bench_unmap_4k(struct bench *b)
{
	uint64_t t0 = now_ns();
	enum p2mk_err e = p2mk_pt_unmap(&b->pt, p2mk_gfn(b->gfn0), b->npages);
	uint64_t t1 = now_ns();
	if (e)
		return "unmap_4k failed";
	keep_best(&b->t[PT_BENCH_UNMAP_4K], t0, t1);
	note(b, PT_BENCH_UNMAP_4K, b->npages, b->npages);
	t0 = now_ns();
	memset(b->flat, 0, b->npages * 8);
	t1 = now_ns();
	keep_best(&b->f[PT_BENCH_UNMAP_4K], t0, t1);
	sink = b->flat[b->npages / 5];
	return NULL;
}

/* map_super: 1 GiB leaves where alignment allows. */
static const char *bench_map_super(struct bench *b)
{
	uint64_t w0 = p2mk_pt_get_stats(&b->pt).leaves_written;
	uint64_t t0 = now_ns();
	enum p2mk_err e =
	    p2mk_pt_map(&b->pt, p2mk_gfn(b->gfn0), p2mk_mfn(b->mfn0), b->npages,
	                &b->attrs, P2MK_PT_ORDER_ANY, 0);
	uint64_t t1 = now_ns();
	if (e)
		return "map_super failed";
	keep_best(&b->t[PT_BENCH_MAP_SUPER], t0, t1);
	uint64_t n = p2mk_pt_get_stats(&b->pt).leaves_written - w0;
	note(b, PT_BENCH_MAP_SUPER, b->npages, n);
	t0 = now_ns();
	memset(b->flat, 0x33, n * 8);
	t1 = now_ns();
	keep_best(&b->f[PT_BENCH_MAP_SUPER], t0, t1);
	sink = b->flat[0];
	return NULL;
}

static const char *bench_once(struct bench *b)
{
	if (p2mk_pt_init(&b->pt, &p2mk_pt_fmt_ept4, &b->mm, NULL))
		return "p2mk_pt_init failed";
	/* the arena is identity-mapped, like a hypervisor directmap */
	p2mk_pt_set_direct_map(&b->pt, 0);
	const char *why = bench_map_4k(b);
	if (why == NULL) {
		bench_lookups(b);
		why = bench_one(b);
	}
	if (why == NULL)
		why = bench_unmap_4k(b);
	if (why == NULL)
		why = bench_map_super(b);
	p2mk_pt_destroy(&b->pt);
	return why;
}

static const char *const names[PT_BENCH_NRESULTS] = {
    "map_4k",  "map_super", "lookup_random", "unmap_4k",
    "map_one", "unmap_one", "lookup_one",
};

static const char *bench_setup(struct bench *b, uint64_t bytes)
{
	const uint64_t G1 = UINT64_C(1) << 18;
	if (bytes < PT_BENCH_MIN_BYTES || bytes > PT_BENCH_MAX_BYTES ||
	    (bytes & (bytes - 1)))
		return "size must be a power of two from 2 MiB to 256 GiB";
	b->npages = bytes >> P2MK_PAGE_SHIFT;
	b->mask = b->npages - 1;
	b->nlookup = b->npages < (UINT64_C(1) << 20) ? UINT64_C(1) << 20
	                                             : UINT64_C(1) << 21;
	b->gfn0 = 4 * G1;
	b->mfn0 = 1024 * G1;
	/* tables for 4 KiB pages: one per 512 pages plus the levels above */
	b->ar.npages = b->npages / 512 + b->npages / G1 + 64;
	b->ar.base = big_alloc(b->ar.npages * P2MK_PAGE_SIZE);
	b->flat = big_alloc(b->npages * 8);
	b->ar.stack = malloc(b->ar.npages * sizeof(*b->ar.stack));
	if (b->ar.base == NULL || b->flat == NULL || b->ar.stack == NULL)
		return "out of memory";
	b->mm = (struct p2mk_mm_ops){arena_alloc, arena_free, arena_v2p,
	                             arena_p2v, &b->ar};
	b->attrs = (struct p2mk_pt_attrs){P2MK_PT_R | P2MK_PT_W | P2MK_PT_X, 6,
	                                  0, 0, P2MK_PT_IPAT};
	return NULL;
}

int pt_bench_run(uint64_t bytes, int runs,
                 struct pt_bench_result out[PT_BENCH_NRESULTS],
                 const char **err)
{
	struct bench *b = calloc(1, sizeof(*b));
	const char *why = b ? bench_setup(b, bytes) : "out of memory";
	for (int i = 0; i < PT_BENCH_NRESULTS && b; i++) {
		out[i] = (struct pt_bench_result){.name = names[i]};
		b->t[i] = b->f[i] = 1e30;
	}
	if (b)
		b->out = out;
	for (int run = 0; run < runs && why == NULL; run++)
		why = bench_once(b);
	for (int i = 0; i < PT_BENCH_NRESULTS && why == NULL; i++) {
		out[i].ns_per_op = b->t[i] / (double)out[i].ops;
		out[i].floor_ns_per_op = b->f[i] / (double)out[i].ops;
	}
	if (b) {
		free(b->ar.base);
		free(b->ar.stack);
		free(b->flat);
		free(b);
	}
	if (err)
		*err = why;
	return why ? -1 : 0;
}
