// SPDX-License-Identifier: BSD-2-Clause
/*
 * The audit: for System RAM and every memory BAR, the MTRR type of each
 * part (x86 §5.2), the PAT mappings the kernel recorded over it and their
 * effective type (x86 §7 on Intel, x86 §10.2 on AMD), and findings.
 *
 * The findings go beyond FWTS's mtrr test (landscape-and-users.md §6): they
 * combine the MTRR with the PAT type actually requested, so a prefetchable
 * BAR under a UC MTRR is reported as fine for WC mappings but not for WB
 * ones, instead of simply "wrong".
 */
#include "host/host_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lookups one range may cost before it is reported as too fragmented. */
#define LOOKUP_BUDGET 200000u
/* The fixed-range region: the first MiB (x86 §3.4). */
#define FIXED_END UINT64_C(0x100000)
/* AMD's TOP_MEM2 forcing starts at 4 GiB (x86 §10.1). */
#define FOUR_GIB (UINT64_C(1) << 32)
/* BARs at least this large are worth mapping WC. */
#define BIG_BAR (UINT64_C(1) << 20)

struct answer {
	uint8_t kind, type, source;
};

static bool block_answer(const struct p2mk_host *h, uint64_t pfn,
                         unsigned order, struct answer *a)
{
	uint64_t pa = pfn << P2MK_PAGE_SHIFT;
	uint64_t last = pa + ((P2MK_PAGE_SIZE << order) - 1);
	if (h->mtrr_origin == P2MK_HOST_MTRR_PROC) {
		/* /proc/mtrr shows no fixed ranges: the first MiB is unknown.
		 */
		if (pa < FIXED_END) {
			if (last >= FIXED_END)
				return false;
			*a = (struct answer){P2MK_HOST_MK_FIXED, 0, 0};
			return true;
		}
		struct p2mk_mtrr_lookup x = p2mk_mtrr_lookup_host(
		    &h->state, p2mk_hpa(pa), order, P2MK_OVERLAP_SDM);
		struct p2mk_mtrr_lookup y = p2mk_mtrr_lookup_host(
		    &h->state_wb, p2mk_hpa(pa), order, P2MK_OVERLAP_SDM);
		if (x.kind == P2MK_LOOKUP_MIXED || y.kind == P2MK_LOOKUP_MIXED)
			return false;
		if (x.kind == P2MK_LOOKUP_UNDEFINED)
			*a = (struct answer){P2MK_HOST_MK_UNDEFINED, 0,
			                     x.source};
		else if (x.type == y.type)
			*a = (struct answer){P2MK_HOST_MK_TYPE, x.type,
			                     x.source};
		else
			*a = (struct answer){P2MK_HOST_MK_DEFAULT, 0,
			                     P2MK_SRC_DEFAULT};
		return true;
	}
	const struct p2mk_mtrr_state *s = &h->state;
	if (h->tom2_wb && (h->state.def_type & P2MK_MTRR_DEF_E)) {
		/* AMD Tom2ForceMemTypeWB (x86 §10.1): [4 GiB, TOP_MEM2) has
		 * default type WB.  Split blocks that cross either edge. */
		bool lo = last < FOUR_GIB || pa >= h->tom2;
		bool in = pa >= FOUR_GIB && last < h->tom2;
		if (!lo && !in)
			return false;
		if (in)
			s = &h->state_wb;
	}
	struct p2mk_mtrr_lookup x =
	    p2mk_mtrr_lookup_host(s, p2mk_hpa(pa), order, P2MK_OVERLAP_SDM);
	if (x.kind == P2MK_LOOKUP_MIXED)
		return false;
	if (x.kind == P2MK_LOOKUP_UNDEFINED)
		*a = (struct answer){P2MK_HOST_MK_UNDEFINED, 0, x.source};
	else
		*a = (struct answer){P2MK_HOST_MK_TYPE, x.type, x.source};
	return true;
}

static void add_seg(struct p2mk_host *h, struct p2mk_host_range *r,
                    uint64_t start, uint64_t end, struct answer a)
{
	if (r->seg_count > 0) {
		struct p2mk_host_seg *prev = &h->segs[h->nsegs - 1];
		if (prev->kind == a.kind && prev->type == a.type &&
		    prev->end + 1 == start) {
			prev->end = end;
			return;
		}
	}
	struct p2mk_host_seg *s = HOST_PUSH(h, segs);
	if (s == NULL)
		return;
	*s = (struct p2mk_host_seg){start, end, a.kind, a.type, a.source};
	r->seg_count++;
}

static unsigned floor_log2(uint64_t v)
{
	return 63u - (unsigned)__builtin_clzll(v);
}

/* Split [r->start, r->end] into maximal runs of one MTRR answer. */
static void segment_range(struct p2mk_host *h, struct p2mk_host_range *r)
{
	r->seg_first = h->nsegs;
	r->seg_count = 0;
	uint64_t max_pa = h->mtrr_origin == P2MK_HOST_MTRR_NONE
	                      ? 0
	                      : (UINT64_C(1) << h->state.maxphyaddr) - 1;
	if (h->mtrr_origin == P2MK_HOST_MTRR_NONE || r->end > max_pa) {
		add_seg(h, r, r->start, r->end,
		        (struct answer){P2MK_HOST_MK_UNKNOWN, 0, 0});
		return;
	}
	uint64_t pfn = r->start >> P2MK_PAGE_SHIFT;
	uint64_t last = r->end >> P2MK_PAGE_SHIFT;
	unsigned budget = LOOKUP_BUDGET;
	while (pfn <= last) {
		unsigned order = pfn ? (unsigned)__builtin_ctzll(pfn) : 40u;
		unsigned fit = floor_log2(last - pfn + 1);
		if (order > fit)
			order = fit;
		if (order > 40)
			order = 40;
		struct answer a = {P2MK_HOST_MK_UNKNOWN, 0, 0};
		/* A MIXED block is retried at half the size; order 0 (one
		 * page) always has an answer.  Every lookup costs budget so a
		 * pathological (interleaved-mask) layout cannot stall us. */
		bool ok = false;
		while (budget > 0) {
			budget--;
			ok = block_answer(h, pfn, order, &a);
			if (ok || order == 0)
				break;
			order--;
		}
		if (!ok) {
			add_seg(
			    h, r, pfn << P2MK_PAGE_SHIFT, r->end,
			    (struct answer){P2MK_HOST_MK_TOO_FRAGMENTED, 0, 0});
			return;
		}
		uint64_t s = pfn << P2MK_PAGE_SHIFT;
		uint64_t e = s + ((P2MK_PAGE_SIZE << order) - 1);
		add_seg(h, r, s < r->start ? r->start : s,
		        e > r->end ? r->end : e, a);
		uint64_t next = pfn + (UINT64_C(1) << order);
		if (next <= pfn)
			break;
		pfn = next;
	}
}

static struct p2mk_mt_result combine(const struct p2mk_host *h, unsigned mtrr,
                                     unsigned pat)
{
	if (h->cpu.vendor == P2MK_HOST_VENDOR_AMD)
		return p2mk_amd_pat_mtrr(mtrr, pat);
	return p2mk_intel_pat_mtrr(mtrr, pat);
}

/* Effective types of the PAT mappings that overlap @r, per MTRR segment. */
static void effective_range(struct p2mk_host *h, struct p2mk_host_range *r)
{
	r->eff_first = h->neffs;
	r->eff_count = 0;
	for (size_t m = 0; m < h->npat_maps; m++) {
		const struct p2mk_host_pat_map *pm = &h->pat_maps[m];
		uint64_t ms = pm->start, me = pm->end - 1;
		if (me < r->start || ms > r->end)
			continue;
		for (size_t k = 0; k < r->seg_count; k++) {
			const struct p2mk_host_seg *sg =
			    &h->segs[r->seg_first + k];
			uint64_t s = ms > sg->start ? ms : sg->start;
			uint64_t e = me < sg->end ? me : sg->end;
			if (s > e)
				continue;
			struct p2mk_host_eff *f = HOST_PUSH(h, effs);
			if (f == NULL)
				return;
			f->start = s;
			f->end = e;
			f->map = m;
			f->pat = pm->type;
			f->mkind = sg->kind;
			f->mtrr = sg->type;
			if (sg->kind == P2MK_HOST_MK_TYPE) {
				f->result = combine(h, sg->type, pm->type);
				f->known = true;
			} else if (pm->type == P2MK_MT_UC ||
			           pm->type == P2MK_MT_WC) {
				/* PAT UC and WC decide whatever the MTRR type
				 * is (x86 §7 invariants, §10.2 certain cells).
				 */
				f->result = combine(h, P2MK_MT_WB, pm->type);
				f->result.rule =
				    "PAT UC and WC decide whatever "
				    "the MTRR type (x86 §7)";
				f->known = true;
			}
			r->eff_count++;
		}
	}
}

static void bar_name(const struct p2mk_host_bar *b, char *out, size_t outsz)
{
	if (b->from_iomem)
		snprintf(out, outsz, "%s (iomem)", b->bdf);
	else
		snprintf(out, outsz, "%s BAR%u", b->bdf, b->index);
}

static struct p2mk_host_range *add_range(struct p2mk_host *h,
                                         enum p2mk_host_range_kind kind,
                                         uint64_t start, uint64_t end, int bar)
{
	struct p2mk_host_range *r = HOST_PUSH(h, ranges);
	if (r == NULL)
		return NULL;
	r->kind = kind;
	r->start = start;
	r->end = end;
	r->bar = bar;
	if (bar >= 0)
		bar_name(&h->bars[bar], r->name, sizeof(r->name));
	else
		snprintf(r->name, sizeof(r->name), "System RAM");
	segment_range(h, r);
	effective_range(h, r);
	return r;
}

static const char *seg_origin(const struct p2mk_host_seg *s)
{
	switch (s->source) {
	case P2MK_SRC_DISABLED:
		return "MTRRs disabled";
	case P2MK_SRC_FIXED:
		return "fixed-range MTRR";
	case P2MK_SRC_DEFAULT:
		return "default MTRR type";
	default:
		return "variable MTRR";
	}
}

/* ---- machine-wide checks ------------------------------------------------- */

static bool undefined_pair(unsigned a, unsigned b)
{
	/* x86 §5.2 step 3: equal, any UC, or exactly {WT, WB} are defined. */
	if (a == b || a == P2MK_MT_UC || b == P2MK_MT_UC)
		return false;
	return !((a == P2MK_MT_WT && b == P2MK_MT_WB) ||
	         (a == P2MK_MT_WB && b == P2MK_MT_WT));
}

static void check_var_overlaps(struct p2mk_host *h)
{
	const struct p2mk_mtrr_state *s = &h->state;
	unsigned n = p2mk_mtrr_vcnt(s);
	uint64_t frame = P2MK_GENMASK(s->maxphyaddr - 1, 12);
	for (unsigned i = 0; i < n; i++) {
		const struct p2mk_mtrr_var *a = &s->var[i];
		if (!(a->mask & P2MK_MTRR_MASK_V))
			continue;
		for (unsigned j = i + 1; j < n; j++) {
			const struct p2mk_mtrr_var *b = &s->var[j];
			if (!(b->mask & P2MK_MTRR_MASK_V))
				continue;
			/* Two base/mask sets intersect iff they agree on the
			 * bits both masks select (x86 §5.1). */
			if (((a->base ^ b->base) & a->mask & b->mask & frame) !=
			    0)
				continue;
			unsigned ta = (unsigned)(a->base & 0xff);
			unsigned tb = (unsigned)(b->base & 0xff);
			if (!undefined_pair(ta, tb))
				continue;
			host_finding(
			    h, P2MK_HOST_ERROR, "mtrr-undefined-overlap", -1,
			    "variable MTRRs %u (%s) and %u (%s) overlap: "
			    "the SDM leaves that combination undefined "
			    "(x86 §5.2); Linux treats it as UC, Xen "
			    "takes the last pair, KVM <= 6.10 WB "
			    "(x86 §5.3)",
			    i, p2mk_mt_name(ta), j, p2mk_mt_name(tb));
		}
	}
}

static int cmp_pat_start(const void *a, const void *b)
{
	const struct p2mk_host_pat_map *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void check_pat_aliases(struct p2mk_host *h)
{
	if (h->npat_maps < 2)
		return;
	struct p2mk_host_pat_map *v = malloc(h->npat_maps * sizeof(*v));
	if (v == NULL) {
		h->oom = true;
		return;
	}
	memcpy(v, h->pat_maps, h->npat_maps * sizeof(*v));
	qsort(v, h->npat_maps, sizeof(*v), cmp_pat_start);
	unsigned reported = 0;
	for (size_t i = 0; i < h->npat_maps && reported < 8; i++) {
		for (size_t j = i + 1;
		     j < h->npat_maps && v[j].start < v[i].end; j++) {
			if (v[j].type == v[i].type)
				continue;
			host_finding(
			    h, P2MK_HOST_WARNING, "pat-alias", -1,
			    "PAT mappings at lines %u and %u overlap with "
			    "different types (%s and %s): the same memory "
			    "is mapped with two cache attributes, which "
			    "the SDM calls undefined aliasing",
			    v[i].line, v[j].line, p2mk_mt_name(v[i].type),
			    p2mk_mt_name(v[j].type));
			reported++;
			break;
		}
	}
	free(v);
}

static void check_machine(struct p2mk_host *h)
{
	const struct p2mk_host_cpu *c = &h->cpu;
	if (c->vendor == P2MK_HOST_VENDOR_NOT_X86) {
		host_finding(h, P2MK_HOST_INFO, "not-x86", -1,
		             "this is not an x86 machine: MTRRs and PAT do not "
		             "exist; only the PCI BARs are listed");
	} else if (c->vendor != P2MK_HOST_VENDOR_INTEL &&
	           c->vendor != P2MK_HOST_VENDOR_AMD) {
		host_finding(h, P2MK_HOST_INFO, "vendor-unknown", -1,
		             "CPU vendor not known from /proc/cpuinfo: Intel's "
		             "PAT x MTRR table is used (x86 §7)");
	}
	if (h->mtrr_origin == P2MK_HOST_MTRR_NONE &&
	    c->vendor != P2MK_HOST_VENDOR_NOT_X86)
		host_finding(
		    h, P2MK_HOST_INFO, "no-mtrr", -1,
		    "no MTRR information (MSRs: %s; /proc/mtrr: %s): "
		    "MTRR types are unknown and MTRR-based checks "
		    "are skipped; PAT UC and WC mappings are still "
		    "decided (x86 §7)",
		    p2mk_host_status_name(h->src[P2MK_HOST_SRC_MSR].status),
		    p2mk_host_status_name(
		        h->src[P2MK_HOST_SRC_PROC_MTRR].status));
	if (h->msr_rejected[0] != '\0')
		host_finding(h, P2MK_HOST_ERROR, "msr-rejected", -1,
		             "%s; the MSRs were not used", h->msr_rejected);
	if (h->tom2_wb)
		host_finding(h, P2MK_HOST_INFO, "amd-tom2-wb", -1,
		             "AMD SYSCFG.Tom2ForceMemTypeWB: memory from 4 GiB "
		             "to TOP_MEM2 = 0x%llx that no variable MTRR "
		             "covers is WB, not the default type (x86 §10.1)",
		             (unsigned long long)h->tom2);
	if (h->amd_rdwr_masked)
		host_finding(h, P2MK_HOST_INFO, "amd-fixed-rdmem-wrmem", -1,
		             "fixed-range MTRRs carry AMD RdMem/WrMem bits "
		             "(MtrrFixDramModEn, x86 §10.1); they were "
		             "ignored for typing");
	if (h->mtrr_origin == P2MK_HOST_MTRR_MSR &&
	    !(h->state.def_type & P2MK_MTRR_DEF_E))
		host_finding(h, P2MK_HOST_ERROR, "mtrr-disabled", -1,
		             "MTRRs are disabled (MTRRdefType.E = 0): all "
		             "memory is UC unless PAT selects WC (x86 §5.2)");
	if (h->mtrr_origin != P2MK_HOST_MTRR_NONE)
		check_var_overlaps(h);
	if (h->pat_msr_known) {
		bool wc = false;
		for (unsigned i = 0; i < 8; i++)
			wc =
			    wc || p2mk_pat_entry(h->state.pat, i) == P2MK_MT_WC;
		if (!wc)
			host_finding(h, P2MK_HOST_WARNING, "pat-no-wc", -1,
			             "IA32_PAT = 0x%016llx has no WC entry: no "
			             "mapping can be write-combining through "
			             "PAT, only through a WC MTRR (x86 §6.1)",
			             (unsigned long long)h->state.pat);
	}
	check_pat_aliases(h);
	for (int i = 0; i < P2MK_HOST_NSOURCES; i++) {
		if (h->src[i].malformed > 0)
			host_finding(h, P2MK_HOST_WARNING, "malformed-input",
			             -1,
			             "%u malformed line(s) in %s were skipped "
			             "(see diagnostics)",
			             h->src[i].malformed, h->src[i].path);
	}
}

/* ---- per-range checks ---------------------------------------------------- */

static void check_ram(struct p2mk_host *h, int ri)
{
	const struct p2mk_host_range *r = &h->ranges[ri];
	char sz[32];
	bool dflt = false;
	for (size_t k = 0; k < r->seg_count; k++) {
		const struct p2mk_host_seg *s = &h->segs[r->seg_first + k];
		host_fmt_size(s->end - s->start + 1, sz, sizeof(sz));
		if (s->kind == P2MK_HOST_MK_TYPE && s->type != P2MK_MT_WB)
			host_finding(h, P2MK_HOST_ERROR, "ram-not-wb", ri,
			             "System RAM [0x%llx-0x%llx] (%s) has MTRR "
			             "type %s (%s), not WB: every cacheable "
			             "mapping of it gets %s (x86 §7)",
			             (unsigned long long)s->start,
			             (unsigned long long)s->end, sz,
			             p2mk_mt_name(s->type), seg_origin(s),
			             p2mk_mt_name(s->type));
		else if (s->kind == P2MK_HOST_MK_UNDEFINED)
			host_finding(
			    h, P2MK_HOST_ERROR, "mtrr-undefined-overlap", ri,
			    "System RAM [0x%llx-0x%llx] (%s) is covered "
			    "by overlapping MTRRs whose combination "
			    "is undefined (x86 §5.2)",
			    (unsigned long long)s->start,
			    (unsigned long long)s->end, sz);
		else if (s->kind == P2MK_HOST_MK_DEFAULT)
			dflt = true;
	}
	if (dflt)
		host_finding(h, P2MK_HOST_INFO, "ram-default-unknown", ri,
		             "part of System RAM [0x%llx-0x%llx] is covered by "
		             "no variable MTRR: it has MTRRdefType.Type, which "
		             "/proc/mtrr does not show; it is WB only if the "
		             "default type is WB",
		             (unsigned long long)r->start,
		             (unsigned long long)r->end);
	unsigned odd = 0;
	const struct p2mk_host_eff *first = NULL;
	for (size_t k = 0; k < r->eff_count; k++) {
		const struct p2mk_host_eff *f = &h->effs[r->eff_first + k];
		if (f->pat != P2MK_MT_WB) {
			odd++;
			first = first ? first : f;
		}
	}
	if (odd > 0)
		host_finding(
		    h, P2MK_HOST_INFO, "ram-pat-mapping", ri,
		    "%u part(s) of System RAM are mapped with a non-WB "
		    "PAT type (first: [0x%llx-0x%llx] %s): usual for "
		    "graphics and DMA buffers (set_memory_wc/uc)",
		    odd, (unsigned long long)first->start,
		    (unsigned long long)first->end, p2mk_mt_name(first->pat));
}

static bool cacheable(unsigned t)
{
	return p2mk_mt_class(t) == P2MK_CACHED;
}

static void check_bar_mtrr(struct p2mk_host *h, int ri,
                           const struct p2mk_host_bar *b, const char *what,
                           bool has_wc_mapping)
{
	const struct p2mk_host_range *r = &h->ranges[ri];
	unsigned types = 0;
	bool flags_known = !b->from_iomem;
	/* Without the PAT list we cannot tell whether WC is in use: say what
	 * holds but do not warn. */
	bool pat_known =
	    h->src[P2MK_HOST_SRC_PAT_LIST].status == P2MK_HOST_READ;
	for (size_t k = 0; k < r->seg_count; k++) {
		const struct p2mk_host_seg *s = &h->segs[r->seg_first + k];
		if (s->kind == P2MK_HOST_MK_UNDEFINED) {
			host_finding(h, P2MK_HOST_ERROR,
			             "mtrr-undefined-overlap", ri,
			             "%s [0x%llx-0x%llx] is covered by "
			             "overlapping MTRRs whose combination is "
			             "undefined (x86 §5.2)",
			             r->name, (unsigned long long)s->start,
			             (unsigned long long)s->end);
			continue;
		}
		if (s->kind != P2MK_HOST_MK_TYPE)
			continue;
		if (types & (1u << s->type))
			continue;
		types |= 1u << s->type;
		if (!flags_known)
			continue;
		if (s->type == P2MK_MT_UC && b->prefetch)
			host_finding(
			    h,
			    has_wc_mapping || !pat_known ? P2MK_HOST_INFO
			                                 : P2MK_HOST_WARNING,
			    "bar-prefetch-uc-mtrr", ri,
			    "%s: %s covered by a UC %s: write-combining "
			    "through PAT still works (PAT WC wins, x86 §7)%s, "
			    "but a WB request (memremap) will get UC",
			    r->name, what, seg_origin(s),
			    has_wc_mapping ? " and is in use"
			    : !pat_known ? " (whether it is in use is unknown: "
			                   "no PAT list)"
			                 : "");
		else if (cacheable(s->type) && !b->prefetch)
			host_finding(
			    h, P2MK_HOST_ERROR, "bar-mmio-cacheable-mtrr", ri,
			    "%s: %s covered by a %s %s: a WB mapping "
			    "(memremap) would cache device registers; "
			    "only UC/UC- mappings stay uncached (x86 §7)",
			    r->name, what, p2mk_mt_name(s->type),
			    seg_origin(s));
		else if (cacheable(s->type))
			host_finding(h, P2MK_HOST_WARNING,
			             "bar-prefetch-wb-mtrr", ri,
			             "%s: %s covered by a %s %s: a WB mapping "
			             "caches device memory (safe only if the "
			             "device is cache-coherent); ioremap (UC-) "
			             "gives UC, not WC (x86 §7)",
			             r->name, what, p2mk_mt_name(s->type),
			             seg_origin(s));
		else if (s->type == P2MK_MT_WC && !b->prefetch)
			host_finding(h, P2MK_HOST_WARNING,
			             "bar-nonprefetch-wc-mtrr", ri,
			             "%s: %s covered by a WC %s: plain ioremap "
			             "(UC-) becomes WC (x86 §7), so register "
			             "writes may be combined or reordered",
			             r->name, what, seg_origin(s));
		else if (s->type == P2MK_MT_WC)
			host_finding(h, P2MK_HOST_INFO, "bar-wc-mtrr", ri,
			             "%s: %s covered by a WC %s: UC- and WC "
			             "mappings both get WC (x86 §7)",
			             r->name, what, seg_origin(s));
	}
	if (types & (types - 1)) {
		char list[64] = "";
		size_t n = 0;
		for (unsigned t = 0; t < 8; t++) {
			if (types & (1u << t))
				n += (size_t)snprintf(
				    list + n, sizeof(list) - n, "%s%s",
				    n ? ", " : "", p2mk_mt_name(t));
		}
		host_finding(h, P2MK_HOST_WARNING, "bar-mtrr-mixed", ri,
		             "%s: the MTRRs give different types over one BAR "
		             "(%s): a mapping of the whole BAR gets a "
		             "different type in each part",
		             r->name, list);
	}
}

static void check_bar(struct p2mk_host *h, int ri)
{
	/* The Xen platform BAR is the grant table, not device memory: its
	 * finding (xen-grant-table) replaces the BAR checks. */
	if (host_is_grant_bar(h, ri))
		return;
	const struct p2mk_host_range *r = &h->ranges[ri];
	const struct p2mk_host_bar *b = &h->bars[r->bar];
	char sz[32], what[96];
	uint64_t size = r->end - r->start + 1;
	host_fmt_size(size, sz, sizeof(sz));
	if (b->from_iomem)
		snprintf(what, sizeof(what), "%s BAR (flags unknown)", sz);
	else
		snprintf(what, sizeof(what), "%s %s%s BAR",
		         b->prefetch ? "prefetchable" : "non-prefetchable", sz,
		         b->is64 ? " 64-bit" : "");
	if (h->cpu.phys_bits && h->cpu.phys_bits < 64 &&
	    r->end >> h->cpu.phys_bits)
		host_finding(h, P2MK_HOST_ERROR, "bar-above-maxphyaddr", ri,
		             "%s ends at 0x%llx, beyond the %u-bit physical "
		             "address width",
		             r->name, (unsigned long long)r->end,
		             h->cpu.phys_bits);
	if (b->from_iomem)
		host_finding(h, P2MK_HOST_INFO, "bar-flags-unknown", ri,
		             "%s is known only from /proc/iomem: prefetchable "
		             "and 64-bit flags are unknown, so checks that "
		             "need them are skipped",
		             r->name);
	if (b->cfg_mismatch)
		host_finding(h, P2MK_HOST_INFO, "bar-flags-mismatch", ri,
		             "%s: sysfs resource flags (0x%llx) and the BAR "
		             "register disagree on prefetchable/64-bit; the "
		             "register is used",
		             r->name, (unsigned long long)b->flags);

	bool wc_map = false;
	unsigned known = 0, uc = 0;
	for (size_t k = 0; k < r->eff_count; k++) {
		const struct p2mk_host_eff *f = &h->effs[r->eff_first + k];
		if (!f->known)
			continue;
		unsigned t = f->result.type;
		enum p2mk_cache_class cls = p2mk_mt_class(t);
		known++;
		uc += cls == P2MK_UNCACHED;
		wc_map = wc_map || cls == P2MK_WRITE_COMBINED;
		if (b->from_iomem)
			continue;
		if (cls == P2MK_WRITE_COMBINED && !b->prefetch)
			host_finding(
			    h, P2MK_HOST_WARNING, "bar-nonprefetch-wc", ri,
			    "%s: non-prefetchable BAR mapped WC at "
			    "[0x%llx-0x%llx] (PAT %s): reads may be "
			    "speculative and writes combined",
			    r->name, (unsigned long long)f->start,
			    (unsigned long long)f->end, p2mk_mt_name(f->pat));
		else if (cls == P2MK_CACHED)
			host_finding(
			    h,
			    b->prefetch ? P2MK_HOST_WARNING : P2MK_HOST_ERROR,
			    b->prefetch ? "bar-prefetch-cached"
			                : "bar-mmio-cached",
			    ri,
			    "%s: mapped with effective type %s at "
			    "[0x%llx-0x%llx] (PAT %s over MTRR %s): "
			    "device memory in the CPU cache",
			    r->name, p2mk_mt_name(t),
			    (unsigned long long)f->start,
			    (unsigned long long)f->end, p2mk_mt_name(f->pat),
			    p2mk_mt_name(f->mtrr));
	}
	check_bar_mtrr(h, ri, b, what, wc_map);
	if (!b->from_iomem && b->prefetch && size >= BIG_BAR && known > 0 &&
	    uc == known)
		host_finding(
		    h, P2MK_HOST_INFO, "bar-prefetch-uc-only", ri,
		    "%s: %s mapped only uncached: a driver could map it "
		    "write-combining (ioremap_wc) for bulk writes",
		    r->name, what);
}

/* One note for all mappings whose type came from an UNVERIFIED AMD cell. */
static void check_unverified(struct p2mk_host *h)
{
	size_t n = 0;
	const struct p2mk_host_eff *first = NULL;
	for (size_t i = 0; i < h->neffs; i++) {
		const struct p2mk_host_eff *f = &h->effs[i];
		if (f->known && !f->result.verified) {
			n++;
			first = first ? first : f;
		}
	}
	if (n > 0)
		host_finding(h, P2MK_HOST_INFO, "amd-unverified", -1,
		             "%zu effective type(s) come from UNVERIFIED cells "
		             "of AMD's PAT x MTRR table (x86 §10.2, §14), e.g. "
		             "PAT %s over MTRR %s -> %s",
		             n, p2mk_mt_name(first->pat),
		             p2mk_mt_name(first->mtrr),
		             p2mk_mt_name(first->result.type));
}

void p2mk_host_analyze(struct p2mk_host *h)
{
	h->nsegs = h->neffs = h->nranges = h->nfindings = 0;
	for (size_t i = 0; i < h->niomem; i++) {
		const struct p2mk_host_iomem *e = &h->iomem[i];
		if (strcmp(e->name, "System RAM") == 0)
			add_range(h, P2MK_HOST_RAM, e->start, e->end, -1);
	}
	for (size_t i = 0; i < h->nbars; i++)
		add_range(h, P2MK_HOST_BAR, h->bars[i].start, h->bars[i].end,
		          (int)i);
	host_guest_decide(h);
	check_machine(h);
	for (size_t i = 0; i < h->nranges; i++) {
		if (h->ranges[i].kind == P2MK_HOST_RAM)
			check_ram(h, (int)i);
		else
			check_bar(h, (int)i);
	}
	check_unverified(h);
	host_guest_findings(h);
}
