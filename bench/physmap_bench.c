// SPDX-License-Identifier: BSD-2-Clause
/*
 * `p2mkit bench physmap`: relocating 1 GiB (per page, Xen's 16-page
 * batches, one flush point) and mapping a 32 GiB BAR at 4 KiB / 2 MiB /
 * 1 GiB with shared and separate IOMMU tables, plus a 128 GiB BAR at
 * 4 KiB.  Each case runs in a forked child so its peak RSS is its own;
 * table pages come from a reserved pool backed 2 MiB at a time (see
 * pool_init()), so the allocator adds neither per-page faults to the time
 * nor per-page overhead to the peak.
 */
#include "physmap_bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <p2mkit/policy.h>

/* ---- page allocator: a reserved pool carved into pages --------------- */

/*
 * A hypervisor hands table pages out of a pool it set up beforehand, not
 * by faulting fresh memory in page by page.  The pool here is one
 * reservation of address space (no memory is committed until a page is
 * first written, so the peak RSS still counts only the pages the case
 * used), 2 MiB aligned with transparent huge pages requested: the kernel
 * then zeroes and maps 2 MiB at a time, where faulting 4 KiB pages one by
 * one cost more than the engine itself under a software hypervisor.
 * Fresh pages are zero (anonymous memory); freed ones are scrubbed.
 */
#define POOL_BYTES (UINT64_C(16) << 30)
#define POOL_ALIGN ((size_t)2 << 20)

struct chunks {
	uint8_t *cur, *end;
	void **stack;
	size_t nfree, cap;
};

static int pool_init(struct chunks *c)
{
	void *p = mmap(NULL, POOL_BYTES + POOL_ALIGN, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -1;
	size_t skip = (POOL_ALIGN - (uintptr_t)p % POOL_ALIGN) % POOL_ALIGN;
	c->cur = (uint8_t *)p + skip;
	c->end = c->cur + POOL_BYTES;
	(void)madvise(c->cur, POOL_BYTES, MADV_HUGEPAGE);
	return 0;
}

/*
 * Touch the first @pages pages of the pool before the clock starts, as a
 * hypervisor populates its page pool when the domain is created: the
 * kernel's first-touch cost (zeroing, and under a software hypervisor a
 * fault in the host as well) is then not charged to the engine.  Pages
 * past them are still faulted in on demand, inside the timing.
 */
static void pool_prefault(struct chunks *c, uint64_t pages)
{
	uint64_t avail = (uint64_t)(c->end - c->cur) / P2MK_PAGE_SIZE;
	if (pages > avail)
		pages = avail;
	for (uint64_t i = 0; i < pages; i++)
		c->cur[i * P2MK_PAGE_SIZE] = 0;
}

static void *ch_alloc(void *ctx)
{
	struct chunks *c = ctx;
	if (c->nfree)
		return c->stack[--c->nfree];
	if (c->cur == c->end)
		return NULL;
	void *p = c->cur;
	c->cur += P2MK_PAGE_SIZE;
	return p;
}

static void ch_free(void *ctx, void *page)
{
	struct chunks *c = ctx;
	if (c->nfree == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 1024;
		void **s = realloc(c->stack, cap * sizeof(*s));
		if (s == NULL)
			return; /* leak the page: the child exits soon */
		c->stack = s;
		c->cap = cap;
	}
	memset(page, 0, P2MK_PAGE_SIZE);
	c->stack[c->nfree++] = page;
}

static uint64_t ch_v2p(void *ctx, void *va)
{
	(void)ctx;
	return (uint64_t)(uintptr_t)va;
}

static void *ch_p2v(void *ctx, uint64_t pa)
{
	(void)ctx;
	// NOLINTNEXTLINE(performance-no-int-to-ptr)
	return (void *)(uintptr_t)pa;
}

/* ---- machine frames: a bump allocator, never short ------------------- */

static bool fr_alloc(void *ctx, uint64_t count, p2mk_mfn_t *first)
{
	uint64_t *next = ctx;
	uint64_t b = (*next + count - 1) & ~(count - 1);
	*next = b + count;
	*first = p2mk_mfn(b);
	return true;
}

static void fr_free(void *ctx, p2mk_mfn_t first, uint64_t count)
{
	(void)ctx, (void)first, (void)count;
}

/* ---- one domain ------------------------------------------------------ */

struct dom {
	struct chunks ch;
	struct p2mk_mm_ops mm;
	uint64_t next_frame;
	struct p2mk_p2m p2m;
	struct p2mk_iommu io;
	struct p2mk_physmap pm;
};

static int dom_init(struct dom *d, bool shared, bool cm)
{
	memset(d, 0, sizeof(*d));
	if (pool_init(&d->ch) != 0)
		return -1;
	d->mm = (struct p2mk_mm_ops){ch_alloc, ch_free, ch_v2p, ch_p2v, &d->ch};
	struct p2mk_p2m_config cfg = {.arch = P2MK_ARCH_X86_EPT,
	                              .nvcpus = 1,
	                              .paddr_bits = 48,
	                              .iommu = true};
	if (p2mk_p2m_init(&d->p2m, &cfg, &p2mk_policy_xen_ept,
	                  P2MK_RECALC_EXACT, &d->mm) != P2MK_OK)
		return -1;
	/* an Intel IGD-like unit: PSI, MAMV 9; caching mode as a virtual
	 * IOMMU has it (new entries need invalidation too) */
	struct p2mk_iommu_config ic = {
	    .caps = {P2MK_IOMMU_VTD, true, 9, cm, true, 1, 1, 0, 1000},
	    .rule = P2MK_INV_MIN,
	    .mode = P2MK_IOMMU_STRICT,
	};
	struct p2mk_iommu_owner own = {fr_free, NULL, &d->next_frame};
	enum p2mk_err e =
	    shared ? p2mk_iommu_init_shared(&d->io, &ic, &d->p2m.pt, 0x7,
	                                    &d->mm, &own)
	           : p2mk_iommu_init_separate(&d->io, &ic, &p2mk_pt_fmt_vtd_sl4,
	                                      &d->mm, &own);
	if (e != P2MK_OK)
		return -1;
	/* the pool is identity-mapped, like a hypervisor directmap (as in
	 * `bench pt`) */
	p2mk_pt_set_direct_map(&d->p2m.pt, 0);
	if (!shared)
		p2mk_pt_set_direct_map(&d->io.own, 0);
	struct p2mk_frame_ops fops = {fr_alloc, fr_free, NULL, &d->next_frame};
	return p2mk_physmap_init(&d->pm, &d->p2m, &d->io, &fops, 18) == P2MK_OK
	           ? 0
	           : -1;
}

static uint64_t table_bytes(const struct dom *d)
{
	uint64_t pages = d->p2m.pt.stats.table_pages;
	if (!d->io.shared)
		pages += d->io.own.stats.table_pages;
	return pages * P2MK_PAGE_SIZE;
}

/* CPU time of this thread: the figure other helpers' load cannot
 * inflate (wall time is reported beside it). */
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The floor: write 8 bytes per entry the case wrote. */
static double floor_seconds(uint64_t entries)
{
	size_t bytes = (size_t)entries * 8;
	if (bytes == 0)
		return 0;
	uint8_t *buf = malloc(bytes);
	if (buf == NULL)
		return 0;
	memset(buf, 1, bytes); /* fault the pages in first */
	double t = cpu_now();
	memset(buf, 0, bytes);
	t = cpu_now() - t;
	volatile uint8_t sink = buf[bytes - 1];
	(void)sink;
	free(buf);
	return t;
}

/* ---- the cases ------------------------------------------------------- */

enum kind { RELOC, BAR };

struct bench_case {
	const char *name;
	enum kind kind;
	bool shared;
	int mode; /* enum p2mk_reloc_batch or enum p2mk_mmio_era */
	bool cm;
	uint64_t gib;
};

static const struct bench_case cases[] = {
    {"reloc_1g_per_page", RELOC, true, P2MK_RELOC_PER_PAGE, false, 1},
    {"reloc_1g_xen16", RELOC, true, P2MK_RELOC_XEN16, false, 1},
    {"reloc_1g_whole", RELOC, true, P2MK_RELOC_WHOLE, false, 1},
    {"bar32g_4k_shared", BAR, true, P2MK_MMIO_XEN_4K, false, 32},
    {"bar32g_4k_separate", BAR, false, P2MK_MMIO_XEN_2016, false, 32},
    {"bar32g_2m_shared", BAR, true, P2MK_MMIO_XEN_2018, false, 32},
    {"bar32g_2m_separate", BAR, false, P2MK_MMIO_XEN_2018, false, 32},
    {"bar32g_1g_shared", BAR, true, P2MK_MMIO_1G, false, 32},
    {"bar32g_1g_separate", BAR, false, P2MK_MMIO_1G, false, 32},
    {"bar32g_2m_shared_cm", BAR, true, P2MK_MMIO_XEN_2018, true, 32},
    {"bar32g_2m_separate_cm", BAR, false, P2MK_MMIO_XEN_2018, true, 32},
    {"bar32g_1g_shared_cm", BAR, true, P2MK_MMIO_1G, true, 32},
    {"bar128g_4k_shared", BAR, true, P2MK_MMIO_XEN_4K, false, 128},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))
#define GIB    (UINT64_C(1) << 18) /* pages */

/*
 * The table pages a BAR case takes (the pool prefaulted for it): one per
 * 512 entries at the order Xen's mmio_order() picks for the case, one per
 * 512 of those, and the few above; twice with separate IOMMU tables.
 */
static uint64_t bar_table_pages(const struct dom *d,
                                const struct bench_case *bc, uint64_t base,
                                uint64_t n)
{
	unsigned order =
	    p2mk_physmap_mmio_order(&d->pm, p2mk_gfn(base), p2mk_mfn(base), n,
	                            (enum p2mk_mmio_era)bc->mode);
	uint64_t entries = n >> order;
	uint64_t pages = entries / 512 + entries / (UINT64_C(512) * 512) + 4;
	return bc->shared ? pages : 2 * pages;
}

static int run_case(const struct bench_case *bc, struct physmap_bench_result *r)
{
	struct dom *d = malloc(sizeof(*d));
	if (d == NULL || dom_init(d, bc->shared, bc->cm) != 0)
		return -1;
	struct p2mk_physmap_counts c = {0};
	enum p2mk_err e;
	double t, cpu;
	if (bc->kind == RELOC) {
		/* RAM in the grown PCI hole [3 GiB, 4 GiB) moves above 4 GiB */
		e = p2mk_physmap_populate(&d->pm, p2mk_gfn(3 * GIB), GIB, 9,
		                          &c);
		memset(&c, 0, sizeof(c));
		t = now();
		cpu = cpu_now();
		if (e == P2MK_OK)
			e = p2mk_physmap_relocate(
			    &d->pm, p2mk_gfn(3 * GIB), p2mk_gfn(4 * GIB), GIB,
			    (enum p2mk_reloc_batch)bc->mode, &c);
	} else {
		uint64_t n = bc->gib * GIB, base = UINT64_C(64) * GIB;
		pool_prefault(&d->ch, bar_table_pages(d, bc, base, n));
		t = now();
		cpu = cpu_now();
		e = p2mk_physmap_mmio_map(&d->pm, p2mk_gfn(base),
		                          p2mk_mfn(base), n,
		                          (enum p2mk_mmio_era)bc->mode, &c);
	}
	r->cpu_seconds = cpu_now() - cpu;
	r->seconds = now() - t;
	if (e != P2MK_OK)
		return -1;
	r->name = bc->name;
	r->counts = c;
	r->table_bytes = table_bytes(d);
	return 0; /* the child exits: no teardown needed */
}

/* Run case @i in a child; its result comes back through a pipe. */
static int run_child(size_t i, struct physmap_bench_result *r)
{
	int fd[2];
	if (pipe(fd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fd[0]);
		struct physmap_bench_result res = {0};
		int ok = run_case(&cases[i], &res);
		ssize_t w = ok == 0 ? write(fd[1], &res, sizeof(res)) : -1;
		_exit(w == (ssize_t)sizeof(res) ? 0 : 1);
	}
	close(fd[1]);
	ssize_t got = read(fd[0], r, sizeof(*r));
	close(fd[0]);
	int status = 0;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid || status != 0 ||
	    got != (ssize_t)sizeof(*r))
		return -1;
	r->name = cases[i].name; /* the child's pointer is the same image */
	r->peak_rss = (uint64_t)ru.ru_maxrss * 1024;
	/* the floor's buffer lives here, not in the child's peak */
	r->floor_seconds =
	    floor_seconds(r->counts.p2m_entries + r->counts.iommu_entries);
	return 0;
}

int physmap_bench_run(bool quick, struct physmap_bench_result *out,
                      const char **err)
{
	int n = 0;
	for (size_t i = 0; i < NCASES && n < PHYSMAP_BENCH_MAX; i++) {
		if (quick && cases[i].gib > 32)
			continue;
		if (run_child(i, &out[n]) != 0) {
			*err = cases[i].name;
			return -1;
		}
		n++;
	}
	return n;
}

/* ---- output ---------------------------------------------------------- */

static json_t *counts_json(const struct p2mk_physmap_counts *c)
{
	json_t *o = json_object();
	const struct {
		const char *k;
		uint64_t v;
	} f[] = {{"p2m_entries", c->p2m_entries},
	         {"iommu_entries", c->iommu_entries},
	         {"tables_alloc", c->tables_alloc},
	         {"tables_freed", c->tables_freed},
	         {"descs", c->descs},
	         {"domain_descs", c->domain_descs},
	         {"flushes", c->flushes},
	         {"flush_points", c->flush_points},
	         {"hypercalls", c->hypercalls},
	         {"continuations", c->continuations},
	         {"iterations", c->iterations},
	         {"m2p_zaps", c->m2p_zaps},
	         {"pages_done", c->pages_done}};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		json_object_set_new(o, f[i].k,
		                    json_integer((json_int_t)f[i].v));
	return o;
}

json_t *physmap_bench_record(const struct physmap_bench_result *r, int n)
{
	json_t *root = json_object();
	for (int i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "seconds", json_real(r[i].seconds));
		json_object_set_new(o, "cpu_seconds",
		                    json_real(r[i].cpu_seconds));
		json_object_set_new(o, "floor_seconds",
		                    json_real(r[i].floor_seconds));
		json_object_set_new(o, "peak_rss_bytes",
		                    json_integer((json_int_t)r[i].peak_rss));
		json_object_set_new(o, "table_bytes",
		                    json_integer((json_int_t)r[i].table_bytes));
		json_object_set_new(o, "counts", counts_json(&r[i].counts));
		json_object_set_new(root, r[i].name, o);
	}
	return root;
}
