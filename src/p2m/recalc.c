// SPDX-License-Identifier: BSD-2-Clause
/*
 * Lazy recalculation (see p2mkit/p2m.h): Xen's non-leaf marks kept in a
 * shadow tree, resolve_misconfig on a guest access, and the three
 * strategies applied after a change the policy acts on.
 *
 * Spec: xen-reference-behaviour.md §9 (EPT layout, global and range
 * invalidation, resolve_misconfig).
 *
 * The pt engine owns every write to the page tables and every descriptor
 * bit; this file learns the shape of the tree along a path through pt's
 * read-only path query (p2mk_pt_query_path) and keeps Xen's non-leaf
 * marks in a shadow tree of its own: one page per non-leaf table, entry i
 * holding bit 0 = "entry i of that table is marked" and the address of the
 * child shadow page.
 *
 * Multi-step changes never roll back by hand: a split is one pt call that
 * allocates (pt reserves what it needs before writing) followed by one that
 * writes whole leaves and so cannot fail; marking or rewriting a whole leaf
 * never allocates.  Those invariants are checked with P2MK_BUG_ON.
 */
#include "internal.h"

#define SH_MARK UINT64_C(1)
#define SH_ADDR (~UINT64_C(0xfff))

/* What recomputation rewrites: permissions (read-only MMIO, xen §10),
 * the memory type, IPAT and the mark. */
static const struct p2mk_pt_attrs mt_mask = {0xff, 0xff, 0, 0,
                                             P2MK_PT_IPAT | P2MK_PT_RECALC};
static const struct p2mk_pt_attrs recalc_mask = {0, 0, 0, 0, P2MK_PT_RECALC};
/*
 * The shape of the tree on @gfn's path: present[l] whether the level-l
 * entry is present, table[l] whether it is a table entry; @leaf is the
 * level of the leaf (-1 if the path ends in a non-present entry).
 */
struct path {
	bool present[P2MK_PT_MAX_LEVELS];
	bool table[P2MK_PT_MAX_LEVELS];
	int leaf;
};

static void read_path(const struct p2mk_p2m *p, uint64_t gfn, struct path *pa)
{
	struct p2mk_pt_path q;
	*pa = (struct path){.leaf = -1};
	/* Beyond the input width nothing is mapped: an empty path. */
	if (p2mk_pt_query_path(&p->pt, p2mk_gfn(gfn), &q) != P2MK_OK)
		return;
	for (unsigned l = q.end; l <= p2mi_top(p); l++) {
		pa->present[l] = q.kind[l] != P2MK_PT_ENT_ABSENT;
		pa->table[l] = q.kind[l] == P2MK_PT_ENT_TABLE;
	}
	if (q.kind[q.end] == P2MK_PT_ENT_LEAF)
		pa->leaf = (int)q.end;
}

/* What the level-@level entry on @gfn's path is. */
static enum p2mk_pt_ent_kind ent_kind(const struct p2mk_p2m *p, uint64_t gfn,
                                      unsigned level)
{
	struct p2mk_pt_path q;
	if (p2mk_pt_query_path(&p->pt, p2mk_gfn(gfn), &q) != P2MK_OK ||
	    q.end > level)
		return P2MK_PT_ENT_ABSENT;
	return q.kind[level];
}

/* ---- the shadow mark tree -------------------------------------------- */

static uint64_t *sh_ptr(const struct p2mk_p2m *p, uint64_t v)
{
	v &= SH_ADDR;
	return v != 0 ? p->mm.phys_to_virt(p->mm.ctx, v) : NULL;
}

/*
 * The shadow node of the table holding @gfn's level-@level entries
 * (@level >= 1), allocating missing nodes on the way if @alloc.  NULL if
 * absent (or on allocation failure, with *@err set).
 */
static uint64_t *sh_node(struct p2mk_p2m *p, uint64_t gfn, unsigned level,
                         bool alloc, enum p2mk_err *err)
{
	uint64_t *n = p->shadow;
	for (unsigned k = p2mi_top(p); k > level; k--) {
		uint64_t *s = &n[p2mi_idx(gfn, k)];
		uint64_t *c = sh_ptr(p, *s);
		if (c == NULL) {
			if (!alloc)
				return NULL;
			c = p->mm.alloc_page(p->mm.ctx);
			if (c == NULL) {
				*err = P2MK_ERR_NOMEM;
				return NULL;
			}
			*s |= p->mm.virt_to_phys(p->mm.ctx, c);
		}
		n = c;
	}
	return n;
}

static bool sh_marked(const struct p2mk_p2m *p, uint64_t gfn, unsigned level)
{
	uint64_t *n = sh_node((struct p2mk_p2m *)p, gfn, level, false, NULL);
	return n != NULL && (n[p2mi_idx(gfn, level)] & SH_MARK) != 0;
}

static void sh_clear_mark(struct p2mk_p2m *p, uint64_t gfn, unsigned level)
{
	uint64_t *n = sh_node(p, gfn, level, false, NULL);
	if (n != NULL)
		n[p2mi_idx(gfn, level)] &= ~SH_MARK;
}

/* One level of sh_sweep's explicit stack (the tree is at most
 * P2MK_PT_MAX_LEVELS deep, so no recursion). */
struct sh_frame {
	uint64_t *node;
	uint64_t base;
	unsigned level;
	unsigned next;
};

/*
 * Clear every mark within [a, b] whose whole block lies inside it; if
 * @free, instead free every node (the range is ignored).
 */
static void sh_sweep(struct p2mk_p2m *p, uint64_t a, uint64_t b, bool free)
{
	struct sh_frame st[P2MK_PT_MAX_LEVELS];
	int sp = 0;
	st[0] = (struct sh_frame){p->shadow, 0, p2mi_top(p), 0};
	while (sp >= 0) {
		struct sh_frame *f = &st[sp];
		if (f->next == P2MI_NENT) {
			if (free)
				p->mm.free_page(p->mm.ctx, f->node);
			sp--;
			continue;
		}
		unsigned i = f->next++;
		uint64_t lo = f->base + i * p2mi_span(f->level);
		uint64_t hi = lo + p2mi_span(f->level) - 1;
		if (!free && hi < a) {
			/* jump to the first entry the range reaches */
			uint64_t to = (a - f->base) / p2mi_span(f->level);
			f->next = to < P2MI_NENT ? (unsigned)to : P2MI_NENT;
			continue;
		}
		if (!free && lo > b) {
			f->next = P2MI_NENT; /* nothing further is in range */
			continue;
		}
		if (!free && lo >= a && hi <= b)
			f->node[i] &= ~SH_MARK;
		uint64_t *c = sh_ptr(p, f->node[i]);
		if (c != NULL && f->level > 1 && sp + 1 < P2MK_PT_MAX_LEVELS) {
			st[sp + 1] = (struct sh_frame){c, lo, f->level - 1, 0};
			sp++;
		}
	}
}

/* ---- recomputation --------------------------------------------------- */

/* Mark the whole leaf at @gfn (its first frame), level @level.  Whole
 * leaves need no memory and init checked the format has RECALC, so pt
 * cannot fail here. */
static void mark_leaf(struct p2mk_p2m *p, p2mk_gfn_t gfn, unsigned level)
{
	struct p2mk_pt_attrs set = {.flags = P2MK_PT_RECALC};
	enum p2mk_err err =
	    p2mk_pt_protect(&p->pt, gfn, p2mi_span(level), &set, &recalc_mask);
	P2MK_BUG_ON(err != P2MK_OK);
	p->stats.marked++;
}

/*
 * Split the superpage @lf one level.  With @mark the children carry the
 * recalc mark (they inherit EMT 7 in Xen, xen §9.4); without, they keep
 * @lf's attributes exactly.  pt splits only where attributes change, so
 * first give the first child a different recalc bit, then set every
 * child's bit to the wanted value (the second call writes whole leaves and
 * cannot fail).
 */
static enum p2mk_err split_leaf(struct p2mk_p2m *p,
                                const struct p2mk_pt_leaf *lf, bool mark)
{
	unsigned cl = lf->level - 1;
	bool had = (lf->attrs.flags & P2MK_PT_RECALC) != 0;
	bool want = mark || had;
	struct p2mk_pt_attrs flip = {.flags = had ? 0 : P2MK_PT_RECALC};
	enum p2mk_err err = p2mk_pt_protect(&p->pt, lf->gfn, p2mi_span(cl),
	                                    &flip, &recalc_mask);
	if (err)
		return err;
	struct p2mk_pt_attrs set = {.flags = want ? P2MK_PT_RECALC : 0};
	err = p2mk_pt_protect(&p->pt, lf->gfn, p2mi_span(lf->level), &set,
	                      &recalc_mask);
	P2MK_BUG_ON(err != P2MK_OK); /* whole leaves: no memory needed */
	p->stats.splits++;
	return P2MK_OK;
}

/*
 * Recompute one leaf at its order.  *@split is set if the answer was MIXED
 * and the leaf was split one level instead (children marked if @mark).
 */
static enum p2mk_err recompute_leaf(struct p2mk_p2m *p,
                                    const struct p2mk_pt_leaf *lf, bool mark,
                                    bool *split)
{
	struct p2mk_policy_out o;
	*split = false;
	p2mk_p2mi_decide(p, p->cur_vcpu, (enum p2mk_p2mt)lf->attrs.sw,
	                 lf->order, lf->gfn, lf->mfn, &o);
	p->stats.special_checks += o.special_checks;
	p->stats.recomputed++;
	if (o.kind == P2MK_POL_MIXED && lf->order > 0) {
		enum p2mk_err err = split_leaf(p, lf, mark);
		if (err == P2MK_OK)
			*split = true;
		return err;
	}
	struct p2mk_pt_attrs na = lf->attrs;
	/* A page split out of a block gets its own permissions: it may be
	 * the block's one read-only MMIO frame. */
	na.perm =
	    p2mk_p2mi_base_attrs(p, (enum p2mk_p2mt)lf->attrs.sw, lf->mfn).perm;
	if (o.kind == P2MK_POL_TYPE)
		p2mk_p2mi_apply_out(p, &o, &na);
	else {
		/* Cannot happen for 4 KiB (no policy answers MIXED there);
		 * never leave a misconfigured EMT without its mark. */
		na.flags &= (uint16_t)~P2MK_PT_RECALC;
		if (p->cfg.arch == P2MK_ARCH_X86_EPT && na.mt == P2MK_MT_UCM)
			na.mt = P2MK_MT_UC;
	}
	if (!p2mk_p2mi_same_type(&na, &lf->attrs))
		p->stats.changed++;
	if (na.mt == lf->attrs.mt && na.flags == lf->attrs.flags &&
	    na.perm == lf->attrs.perm)
		return P2MK_OK;
	p->stats.rewritten++;
	return p2mk_pt_protect(&p->pt, lf->gfn, p2mi_span(lf->level), &na,
	                       &mt_mask);
}

/*
 * Xen's level-0 loop (xen §9.4, first row): recompute the entries of the
 * leaf table holding @gfn -- every present one if the table was reached
 * by a push-down (@all), else only the marked ones.
 */
static enum p2mk_err recompute_leaf_table(struct p2mk_p2m *p, uint64_t gfn,
                                          bool all)
{
	uint64_t base = gfn & ~(uint64_t)P2MI_IDXM;
	for (unsigned i = 0; i < P2MI_NENT; i++) {
		struct p2mk_pt_leaf lf;
		if (p2mk_pt_lookup(&p->pt, p2mk_gfn(base + i), &lf) !=
		        P2MK_OK ||
		    lf.level != 0)
			continue;
		if (!all && !(lf.attrs.flags & P2MK_PT_RECALC))
			continue;
		bool split;
		enum p2mk_err err = recompute_leaf(p, &lf, true, &split);
		if (err)
			return err;
	}
	return P2MK_OK;
}

/* Is anything on @gfn's path marked?  (The access would exit.) */
static bool path_pending(const struct p2mk_p2m *p, uint64_t gfn,
                         const struct path *pa)
{
	for (int l = (int)p2mi_top(p); l >= 0 && pa->present[l]; l--) {
		if (pa->table[l] && sh_marked(p, gfn, (unsigned)l))
			return true;
	}
	if (pa->leaf >= 0) {
		struct p2mk_pt_leaf lf;
		if (p2mk_pt_lookup(&p->pt, p2mk_gfn(gfn), &lf) == P2MK_OK &&
		    (lf.attrs.flags & P2MK_PT_RECALC))
			return true;
	}
	return false;
}

/*
 * Push-down (xen §9.4 third row) of the level-@level table entry on @gfn's
 * path: mark its present children -- tables with a shadow mark (their node
 * exists: see resolve), leaves with the recalc bit -- and clear its own
 * mark.  The child on @gfn's path itself was resolved already, so it is
 * only counted, as Xen marks it before resolving it.
 */
static void push_down(struct p2mk_p2m *p, uint64_t gfn, unsigned level)
{
	unsigned cl = level - 1;
	uint64_t base = gfn & ~(p2mi_span(level) - 1);
	uint64_t *n = cl >= 1 ? sh_node(p, gfn, cl, false, NULL) : NULL;
	for (unsigned i = 0; i < P2MI_NENT; i++) {
		uint64_t g = base + i * p2mi_span(cl);
		enum p2mk_pt_ent_kind k = ent_kind(p, g, cl);
		if (k == P2MK_PT_ENT_ABSENT)
			continue;
		if (i == p2mi_idx(gfn, cl)) {
			p->stats.marked++;
		} else if (k == P2MK_PT_ENT_LEAF) {
			mark_leaf(p, p2mk_gfn(g), cl);
		} else {
			p->stats.marked++;
			if (n != NULL)
				n[i] |= SH_MARK;
		}
	}
	sh_clear_mark(p, gfn, level);
}

/* The shadow nodes resolve's push-downs need on @gfn's path, allocated
 * before anything is written. */
static enum p2mk_err prepare_push_downs(struct p2mk_p2m *p, uint64_t gfn,
                                        const struct path *pa)
{
	for (unsigned l = p2mi_top(p); l >= 2 && pa->present[l] && pa->table[l];
	     l--) {
		enum p2mk_err err = P2MK_OK;
		if (sh_node(p, gfn, l - 1, true, &err) == NULL)
			return err;
	}
	return P2MK_OK;
}

/*
 * The bottom of resolve_misconfig's walk: the leaf table at level 1
 * (recomputed whole if a mark reached it, xen §9.4 first row) or a
 * superpage leaf at @l, recomputed and split one level while MIXED.
 * *@split says the walk must continue into the new table.
 */
static enum p2mk_err resolve_bottom(struct p2mk_p2m *p, uint64_t gfn,
                                    unsigned l, const struct path *pa,
                                    bool marked, bool *split)
{
	*split = false;
	if (pa->table[l]) {
		enum p2mk_err err = recompute_leaf_table(p, gfn, marked);
		if (err == P2MK_OK)
			sh_clear_mark(p, gfn, l);
		return err;
	}
	struct p2mk_pt_leaf lf;
	if (p2mk_pt_lookup(&p->pt, p2mk_gfn(gfn), &lf) != P2MK_OK ||
	    (!marked && !(lf.attrs.flags & P2MK_PT_RECALC)))
		return P2MK_OK;
	return recompute_leaf(p, &lf, true, split);
}

/*
 * resolve_misconfig (xen §9.4) for @gfn: walk from the root; a marked
 * table entry passes its mark down the path; the leaf table at the bottom
 * or the superpage leaf on the path is recomputed (split one level at a
 * time while the answer is MIXED).  The push-downs of the entries passed
 * on the way are written last, once the only step that can fail (a split)
 * is done, so a call that fails has changed no table -- unless a first
 * split succeeded and a second one did not, as in Xen.
 */
enum p2mk_err p2mk_p2mi_resolve(struct p2mk_p2m *p, uint64_t gfn)
{
	struct path pa;
	read_path(p, gfn, &pa);
	enum p2mk_err err = prepare_push_downs(p, gfn, &pa);
	if (err)
		return err;
	unsigned pushed = 0; /* bit l: push down the level-l entry */
	bool inherited = false;
	for (int li = (int)p2mi_top(p); li >= 0; li--) {
		unsigned l = (unsigned)li;
		if (!pa.present[l])
			break;
		bool marked =
		    inherited || (pa.table[l] && sh_marked(p, gfn, l));
		if (pa.table[l] && l > 1) {
			pushed |= marked ? 1u << l : 0u;
			inherited = marked;
			continue;
		}
		bool split;
		err = resolve_bottom(p, gfn, l, &pa, marked, &split);
		if (err)
			return err;
		if (!split)
			break;
		/* Continue into the new table (xen §9.4 second row). */
		read_path(p, gfn, &pa);
		inherited = false;
		li++;
	}
	for (unsigned l = p2mi_top(p); l >= 2; l--) {
		if (pushed & (1u << l))
			push_down(p, gfn, l);
	}
	return P2MK_OK;
}

/* ---- invalidation ---------------------------------------------------- */
/* xen §9.2: mark the present entries of the root table only. */
static void invalidate_root(struct p2mk_p2m *p)
{
	unsigned tl = p2mi_top(p);
	for (unsigned i = 0; i < P2MI_NENT; i++) {
		enum p2mk_pt_ent_kind k = ent_kind(p, i * p2mi_span(tl), tl);
		if (k == P2MK_PT_ENT_ABSENT || (p->shadow[i] & SH_MARK))
			continue;
		if (k == P2MK_PT_ENT_LEAF) {
			mark_leaf(p, p2mk_gfn(i * p2mi_span(tl)), tl);
		} else {
			p->stats.marked++;
			p->shadow[i] |= SH_MARK;
		}
	}
}

/*
 * Mark the level-@level entries covering [a, b] (aligned to the level).
 * A superpage leaf met above the level is marked whole (Xen would split it
 * down to the level, xen §9.3; marking it whole recomputes it once on
 * access instead).  A table entry whose shadow node cannot be allocated is
 * marked at the nearest level that has one, which is coarser but correct.
 */
static void mark_chunk(struct p2mk_p2m *p, unsigned level, uint64_t a,
                       uint64_t b)
{
	for (uint64_t g = a; g <= b;) {
		struct path pa;
		read_path(p, g, &pa);
		uint64_t next = g + p2mi_span(level);
		int l = (int)p2mi_top(p);
		while (l > (int)level && pa.present[l] && pa.table[l])
			l--;
		if (!pa.present[l]) {
			/* Nothing mapped at or above the target level. */
		} else if (!pa.table[l]) {
			struct p2mk_pt_leaf lf;
			if (p2mk_pt_lookup(&p->pt, p2mk_gfn(g), &lf) ==
			        P2MK_OK &&
			    !(lf.attrs.flags & P2MK_PT_RECALC))
				mark_leaf(p, lf.gfn, lf.level);
			uint64_t end = (g & ~(p2mi_span((unsigned)l) - 1)) +
			               p2mi_span((unsigned)l);
			if (end > next)
				next = end;
		} else {
			enum p2mk_err err = P2MK_OK;
			unsigned ml = (unsigned)l;
			uint64_t *n = sh_node(p, g, ml, true, &err);
			while (n == NULL && ml < p2mi_top(p)) {
				ml++;
				n = sh_node(p, g, ml, false, NULL);
			}
			if (n != NULL && !(n[p2mi_idx(g, ml)] & SH_MARK)) {
				n[p2mi_idx(g, ml)] |= SH_MARK;
				p->stats.marked++;
			}
		}
		if (next <= g) /* wrapped */
			break;
		g = next;
	}
}

/* xen §9.3: ept_invalidate_emt_range's bottom-up decomposition. */
static void invalidate_range(struct p2mk_p2m *p, uint64_t first, uint64_t last)
{
	unsigned l = 0, tl = p2mi_top(p);
	while (first <= last) {
		uint64_t tb = p2mi_span(l + 1) - 1; /* one table at level l */
		if (l == tl) {
			mark_chunk(p, l, first, last);
			return;
		}
		if (first & tb) {
			uint64_t end = first | tb;
			if (end > last)
				end = last;
			mark_chunk(p, l, first, end);
			first = end + 1;
			continue;
		}
		if ((last + 1) & tb) {
			uint64_t start = last & ~tb;
			if (start < first)
				start = first;
			mark_chunk(p, l, start, last);
			if (start == 0)
				return;
			last = start - 1;
			continue;
		}
		l++;
	}
}

int p2mk_p2mi_collect(void *ctx, const struct p2mk_pt_leaf *leaf)
{
	struct p2mk_p2mi_batch *b = ctx;
	b->leaf[b->n++] = *leaf;
	return b->n == P2MI_BATCH ? 1 : 0;
}

/*
 * EXACT: recompute every leaf in [first, last] now, rewrite only those
 * whose type changes, split mixed superpages at once.  A split that cannot
 * get memory leaves that superpage marked instead (lazy), so the call
 * itself cannot fail.
 */
void p2mk_p2mi_exact_range(struct p2mk_p2m *p, uint64_t first, uint64_t last)
{
	uint64_t cur = first;
	while (cur <= last) {
		struct p2mk_p2mi_batch b = {.n = 0};
		enum p2mk_err err =
		    p2mk_pt_walk(&p->pt, p2mk_gfn(cur), last - cur + 1, 0,
		                 p2mk_p2mi_collect, &b, NULL);
		P2MK_BUG_ON(err != P2MK_OK); /* callers clip to gfn_limit */
		if (b.n == 0)
			return;
		for (unsigned i = 0; i < b.n; i++) {
			const struct p2mk_pt_leaf *lf = &b.leaf[i];
			bool split = false;
			err = recompute_leaf(p, lf, false, &split);
			/* Only a split allocates; anything else is a bug,
			 * and either way the lazy mark is the safe answer. */
			if (err != P2MK_OK) {
				(void)P2MK_WARN_ON(err != P2MK_ERR_NOMEM);
				mark_leaf(p, lf->gfn, lf->level);
			}
			if (split) {
				/* Evaluate every child of the split leaf, also
				 * those past @last: a child keeps the block's
				 * type, and the answer for a smaller block can
				 * differ (xen §16 defect 3: a small variable
				 * MTRR inside a block types all of it). */
				uint64_t end =
				    lf->gfn.v + (p2mi_span(lf->level) - 1);
				last = end > last ? end : last;
				cur = lf->gfn.v;
				break;
			}
			cur = lf->gfn.v + p2mi_span(lf->level);
		}
	}
}

void p2mk_p2mi_recalc_range(struct p2mk_p2m *p, uint64_t first, uint64_t last)
{
	uint64_t lim = p->pt.gfn_limit - 1;
	if (last > lim)
		last = lim;
	if (p->strategy == P2MK_RECALC_XEN) {
		/* Xen invalidates everything, even when nothing can change. */
		invalidate_root(p);
		return;
	}
	if (first > last)
		return;
	switch (p->strategy) {
	case P2MK_RECALC_RANGE:
		invalidate_range(p, first, last);
		break;
	default:
		p->cur_vcpu = -1;
		p2mk_p2mi_exact_range(p, first, last);
		break;
	}
}

bool p2mk_p2mi_pending(const struct p2mk_p2m *p, uint64_t gfn)
{
	struct path pa;
	read_path(p, gfn, &pa);
	return path_pending(p, gfn, &pa);
}

void p2mk_p2mi_unmark(struct p2mk_p2m *p, uint64_t first, uint64_t last)
{
	sh_sweep(p, first, last, false);
}

void p2mk_p2mi_free_marks(struct p2mk_p2m *p)
{
	if (p->shadow != NULL)
		sh_sweep(p, 0, 0, true);
	p->shadow = NULL;
}
