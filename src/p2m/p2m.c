// SPDX-License-Identifier: BSD-2-Clause
/*
 * A domain's memory map on top of pt: set/get with the policy applied,
 * memory-type changes with the policy's trigger rule, and the three lazy
 * recalculation strategies (see p2mkit/p2m.h).
 *
 * Spec: xen-reference-behaviour.md §9 (EPT layout, global and range
 * invalidation, resolve_misconfig), §7 (pinned ranges), §8 (when types are
 * recomputed), §10 (types and their permissions).
 *
 * The pt engine owns every write to the page tables and every descriptor
 * bit; this file learns the shape of the tree along a path through pt's
 * read-only path query (p2mk_pt_query_path) and keeps Xen's non-leaf
 * marks in a shadow tree of its own: one page per non-leaf table, entry i
 * holding bit 0 = "entry i of that table is marked" and the address of the
 * child shadow page.
 */
#include <p2mkit/memtype.h>
#include <p2mkit/p2m.h>

#define NENT    P2MK_PT_ENTRIES
#define IDXM    (P2MK_PT_ENTRIES - 1u)
#define SH_MARK UINT64_C(1)
#define SH_ADDR (~UINT64_C(0xfff))
#define BATCH   64u

static const struct p2mk_pt_attrs mt_mask = {0, 0xff, 0, 0,
                                             P2MK_PT_IPAT | P2MK_PT_RECALC};
static const struct p2mk_pt_attrs recalc_mask = {0, 0, 0, 0, P2MK_PT_RECALC};

/* ---- small helpers --------------------------------------------------- */

static inline uint64_t span(unsigned level)
{
	/* Levels are 0..5; anything else is a bug, answered harmlessly. */
	return level < P2MK_PT_MAX_LEVELS
	           ? UINT64_C(1) << (P2MK_PT_TABLE_LG2 * level)
	           : 0;
}

static inline unsigned top(const struct p2mk_p2m *p)
{
	return p->pt.fmt.levels - 1u;
}

static inline unsigned idx(uint64_t gfn, unsigned level)
{
	return (unsigned)(gfn >> (P2MK_PT_TABLE_LG2 * level)) & IDXM;
}

static inline uint64_t gfn_limit(const struct p2mk_p2m *p)
{
	return p->pt.gfn_limit;
}

static bool streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const char *p2mk_recalc_name(enum p2mk_recalc r)
{
	switch (r) {
	case P2MK_RECALC_XEN:
		return "xen";
	case P2MK_RECALC_RANGE:
		return "range";
	case P2MK_RECALC_EXACT:
		return "exact";
	default:
		return "?";
	}
}

bool p2mk_recalc_parse(const char *s, enum p2mk_recalc *r)
{
	for (unsigned i = 0; i <= P2MK_RECALC_EXACT; i++) {
		if (streq(s, p2mk_recalc_name((enum p2mk_recalc)i))) {
			*r = (enum p2mk_recalc)i;
			return true;
		}
	}
	return false;
}

/* ---- reading the tree ------------------------------------------------ */

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
	for (unsigned l = q.end; l <= top(p); l++) {
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
	for (unsigned k = top(p); k > level; k--) {
		uint64_t *s = &n[idx(gfn, k)];
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
	return n != NULL && (n[idx(gfn, level)] & SH_MARK) != 0;
}

static void sh_clear_mark(struct p2mk_p2m *p, uint64_t gfn, unsigned level)
{
	uint64_t *n = sh_node(p, gfn, level, false, NULL);
	if (n != NULL)
		n[idx(gfn, level)] &= ~SH_MARK;
}

/*
 * A depth-first walk over the shadow tree without recursion (the tree is
 * at most P2MK_PT_MAX_LEVELS deep): visit(node, level, base) is called for
 * every node, parents before children unless @post.
 */
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
	st[0] = (struct sh_frame){p->shadow, 0, top(p), 0};
	while (sp >= 0) {
		struct sh_frame *f = &st[sp];
		if (f->next == NENT) {
			if (free)
				p->mm.free_page(p->mm.ctx, f->node);
			sp--;
			continue;
		}
		unsigned i = f->next++;
		uint64_t lo = f->base + i * span(f->level);
		uint64_t hi = lo + span(f->level) - 1;
		if (!free && (hi < a || lo > b))
			continue;
		if (!free && lo >= a && hi <= b)
			f->node[i] &= ~SH_MARK;
		uint64_t *c = sh_ptr(p, f->node[i]);
		if (c != NULL && f->level > 1 && sp + 1 < P2MK_PT_MAX_LEVELS) {
			st[sp + 1] = (struct sh_frame){c, lo, f->level - 1, 0};
			sp++;
		}
	}
}

/* ---- decisions ------------------------------------------------------- */

void p2mk_p2m_view(const struct p2mk_p2m *p, struct p2mk_policy_view *v)
{
	*v = (struct p2mk_policy_view){
	    .cfg = &p->cfg,
	    .vcpu_mtrr = p->vcpu,
	    .host_mtrr = p->have_host ? &p->host : NULL,
	    .io = p->io,
	    .mmio_ro = p->mmio_ro,
	    .special = p->special,
	    .pinned = p->pinned,
	    .nio = p->nio,
	    .nmmio_ro = p->nmmio_ro,
	    .nspecial = p->nspecial,
	    .npinned = p->npinned,
	    .ioports = p->ioports,
	    .pdevs = p->pdevs,
	    .cur_vcpu = p->cur_vcpu,
	    .guest_cd = p->vcpu_cd[p->cur_vcpu >= 0 ? p->cur_vcpu : 0],
	};
}

static void decide(struct p2mk_p2m *p, enum p2mk_p2mt type, unsigned order,
                   p2mk_gfn_t gfn, p2mk_mfn_t mfn, struct p2mk_policy_out *o)
{
	struct p2mk_policy_view v;
	struct p2mk_policy_query q = {type, order, gfn, mfn};
	p2mk_p2m_view(p, &v);
	p->policy->decide(&v, &q, o);
	p->stats.special_checks += o->special_checks;
}

static bool in_ranges(const struct p2mk_mfn_range *r, unsigned n, p2mk_mfn_t f)
{
	for (unsigned i = 0; i < n; i++) {
		if (p2mk_mfn_range_has(&r[i], f))
			return true;
	}
	return false;
}

/* Permissions and software type of an entry (xen §10 "EPT perms"). */
static struct p2mk_pt_attrs base_attrs(const struct p2mk_p2m *p,
                                       enum p2mk_p2mt type, p2mk_mfn_t mfn)
{
	struct p2mk_pt_attrs a = {.sw = (uint8_t)type};
	switch (type) {
	case P2MK_P2M_RAM_RO:
	case P2MK_P2M_RAM_LOGDIRTY:
		a.perm = P2MK_PT_R | P2MK_PT_X;
		break;
	case P2MK_P2M_MMIO_DIRECT:
		a.perm = P2MK_PT_R | P2MK_PT_X;
		if (!in_ranges(p->mmio_ro, p->nmmio_ro, mfn))
			a.perm |= P2MK_PT_W;
		break;
	case P2MK_P2M_GRANT_RW:
	case P2MK_P2M_FOREIGN:
		a.perm = P2MK_PT_R | P2MK_PT_W;
		break;
	case P2MK_P2M_GRANT_RO:
		a.perm = P2MK_PT_R;
		break;
	default:
		a.perm = P2MK_PT_R | P2MK_PT_W | P2MK_PT_X;
		break;
	}
	if (p->cfg.arch == P2MK_ARCH_ARM64)
		a.sh = 3; /* inner shareable (arm64 §6.1) */
	return a;
}

/*
 * The memory-type fields of an answer.  MIXED becomes the pending form:
 * EMT 7 on EPT (the misconfiguration Xen writes, xen §9.5), else the
 * type field unchanged, plus the recalc mark.
 */
static void apply_out(const struct p2mk_p2m *p, const struct p2mk_policy_out *o,
                      struct p2mk_pt_attrs *a)
{
	a->flags &= (uint16_t) ~(P2MK_PT_IPAT | P2MK_PT_RECALC);
	if (o->kind != P2MK_POL_TYPE) {
		if (p->cfg.arch == P2MK_ARCH_X86_EPT)
			a->mt = P2MK_MT_UCM; /* 7 */
		a->flags |= P2MK_PT_RECALC;
		return;
	}
	switch (p->cfg.arch) {
	case P2MK_ARCH_X86_EPT:
		a->mt = o->emt;
		if (o->ipat)
			a->flags |= P2MK_PT_IPAT;
		break;
	case P2MK_ARCH_X86_NPT:
		a->mt = o->hpat_index;
		break;
	default:
		a->mt = o->s2attr;
		break;
	}
}

static bool same_type(const struct p2mk_pt_attrs *x,
                      const struct p2mk_pt_attrs *y)
{
	return x->mt == y->mt &&
	       (x->flags & P2MK_PT_IPAT) == (y->flags & P2MK_PT_IPAT);
}

/* ---- recomputation --------------------------------------------------- */

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
	enum p2mk_err err =
	    p2mk_pt_protect(&p->pt, lf->gfn, span(cl), &flip, &recalc_mask);
	if (err)
		return err;
	struct p2mk_pt_attrs set = {.flags = want ? P2MK_PT_RECALC : 0};
	err = p2mk_pt_protect(&p->pt, lf->gfn, span(lf->level), &set,
	                      &recalc_mask);
	if (err)
		return err;
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
	decide(p, (enum p2mk_p2mt)lf->attrs.sw, lf->order, lf->gfn, lf->mfn,
	       &o);
	p->stats.recomputed++;
	if (o.kind == P2MK_POL_MIXED && lf->order > 0) {
		enum p2mk_err err = split_leaf(p, lf, mark);
		if (err == P2MK_OK)
			*split = true;
		return err;
	}
	struct p2mk_pt_attrs na = lf->attrs;
	if (o.kind == P2MK_POL_TYPE)
		apply_out(p, &o, &na);
	else {
		/* Cannot happen for 4 KiB (no policy answers MIXED there);
		 * never leave a misconfigured EMT without its mark. */
		na.flags &= (uint16_t)~P2MK_PT_RECALC;
		if (p->cfg.arch == P2MK_ARCH_X86_EPT && na.mt == P2MK_MT_UCM)
			na.mt = P2MK_MT_UC;
	}
	if (!same_type(&na, &lf->attrs))
		p->stats.changed++;
	if (na.mt == lf->attrs.mt && na.flags == lf->attrs.flags)
		return P2MK_OK;
	p->stats.rewritten++;
	return p2mk_pt_protect(&p->pt, lf->gfn, span(lf->level), &na, &mt_mask);
}

/*
 * Xen's level-0 loop (xen §9.4, first row): recompute the entries of the
 * leaf table holding @gfn -- every present one if the table was reached
 * by a push-down (@all), else only the marked ones.
 */
static enum p2mk_err recompute_leaf_table(struct p2mk_p2m *p, uint64_t gfn,
                                          bool all)
{
	uint64_t base = gfn & ~(uint64_t)IDXM;
	for (unsigned i = 0; i < NENT; i++) {
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
	for (int l = (int)top(p); l >= 0 && pa->present[l]; l--) {
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

/* Mark the present children of the level-@level table entry on @gfn's
 * path (push-down, xen §9.4 third row).  Children at level >= 1 that are
 * tables get a shadow mark (their node exists: see resolve), leaves get
 * the recalc bit. */
static void push_down(struct p2mk_p2m *p, uint64_t gfn, unsigned level,
                      const struct path *pa)
{
	unsigned cl = level - 1;
	uint64_t base = gfn & ~(span(level) - 1);
	uint64_t *n = cl >= 1 ? sh_node(p, gfn, cl, false, NULL) : NULL;
	(void)pa;
	for (unsigned i = 0; i < NENT; i++) {
		enum p2mk_pt_ent_kind k = ent_kind(p, base + i * span(cl), cl);
		if (k == P2MK_PT_ENT_ABSENT)
			continue;
		p->stats.marked++;
		if (k == P2MK_PT_ENT_TABLE) {
			if (n != NULL)
				n[i] |= SH_MARK;
			continue;
		}
		struct p2mk_pt_attrs set = {.flags = P2MK_PT_RECALC};
		(void)p2mk_pt_protect(&p->pt, p2mk_gfn(base + i * span(cl)),
		                      span(cl), &set, &recalc_mask);
	}
	sh_clear_mark(p, gfn, level);
}

/*
 * resolve_misconfig (xen §9.4) for @gfn: walk from the root, pushing marks
 * down one level at every marked table entry, recomputing the leaf table
 * at the bottom or the superpage leaf on the path (split one level at a
 * time while the answer is MIXED).
 */
static enum p2mk_err resolve(struct p2mk_p2m *p, uint64_t gfn)
{
	struct path pa;
	read_path(p, gfn, &pa);
	/* Push-downs need the children's shadow nodes: get them first so a
	 * failure changes nothing. */
	for (unsigned l = top(p); l >= 2 && pa.present[l] && pa.table[l]; l--) {
		enum p2mk_err err = P2MK_OK;
		if (sh_node(p, gfn, l - 1, true, &err) == NULL)
			return err;
	}
	for (int li = (int)top(p); li >= 0; li--) {
		unsigned l = (unsigned)li;
		if (!pa.present[l])
			return P2MK_OK;
		if (pa.table[l]) {
			bool marked = sh_marked(p, gfn, l);
			if (marked && l == 1) {
				/* Push-down into a leaf table, then Xen's
				 * level-0 loop recomputes all of it at once. */
				enum p2mk_err err =
				    recompute_leaf_table(p, gfn, true);
				if (err == P2MK_OK)
					sh_clear_mark(p, gfn, l);
				return err;
			}
			if (marked)
				push_down(p, gfn, l, &pa);
			else if (l == 1)
				return recompute_leaf_table(p, gfn, false);
			continue;
		}
		struct p2mk_pt_leaf lf;
		if (p2mk_pt_lookup(&p->pt, p2mk_gfn(gfn), &lf) != P2MK_OK ||
		    !(lf.attrs.flags & P2MK_PT_RECALC))
			return P2MK_OK;
		bool split;
		enum p2mk_err err = recompute_leaf(p, &lf, true, &split);
		if (err || !split)
			return err;
		/* Continue into the new table (xen §9.4 second row). */
		read_path(p, gfn, &pa);
		li++;
	}
	return P2MK_OK;
}

/* ---- invalidation ---------------------------------------------------- */

/* xen §9.2: mark the present entries of the root table only. */
static void invalidate_root(struct p2mk_p2m *p)
{
	unsigned tl = top(p);
	for (unsigned i = 0; i < NENT; i++) {
		enum p2mk_pt_ent_kind k = ent_kind(p, i * span(tl), tl);
		if (k == P2MK_PT_ENT_ABSENT || (p->shadow[i] & SH_MARK))
			continue;
		p->stats.marked++;
		if (k == P2MK_PT_ENT_TABLE) {
			p->shadow[i] |= SH_MARK;
		} else {
			struct p2mk_pt_attrs set = {.flags = P2MK_PT_RECALC};
			(void)p2mk_pt_protect(&p->pt, p2mk_gfn(i * span(tl)),
			                      span(tl), &set, &recalc_mask);
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
		uint64_t next = g + span(level);
		int l = (int)top(p);
		while (l > (int)level && pa.present[l] && pa.table[l])
			l--;
		if (!pa.present[l]) {
			/* Nothing mapped at or above the target level. */
		} else if (!pa.table[l]) {
			struct p2mk_pt_leaf lf;
			if (p2mk_pt_lookup(&p->pt, p2mk_gfn(g), &lf) ==
			        P2MK_OK &&
			    !(lf.attrs.flags & P2MK_PT_RECALC)) {
				struct p2mk_pt_attrs set = {.flags =
				                                P2MK_PT_RECALC};
				(void)p2mk_pt_protect(&p->pt, lf.gfn,
				                      span(lf.level), &set,
				                      &recalc_mask);
				p->stats.marked++;
			}
			uint64_t end =
			    (g & ~(span((unsigned)l) - 1)) + span((unsigned)l);
			if (end > next)
				next = end;
		} else {
			enum p2mk_err err = P2MK_OK;
			unsigned ml = (unsigned)l;
			uint64_t *n = sh_node(p, g, ml, true, &err);
			while (n == NULL && ml < top(p)) {
				ml++;
				n = sh_node(p, g, ml, false, NULL);
			}
			if (n != NULL && !(n[idx(g, ml)] & SH_MARK)) {
				n[idx(g, ml)] |= SH_MARK;
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
	unsigned l = 0, tl = top(p);
	while (first <= last) {
		uint64_t tb = span(l + 1) - 1; /* one table at level l */
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

/* Collects up to BATCH leaves of a walk. */
struct batch {
	struct p2mk_pt_leaf leaf[BATCH];
	unsigned n;
};

static int collect(void *ctx, const struct p2mk_pt_leaf *leaf)
{
	struct batch *b = ctx;
	b->leaf[b->n++] = *leaf;
	return b->n == BATCH ? 1 : 0;
}

/*
 * EXACT: recompute every leaf in [first, last] now, rewrite only those
 * whose type changes, split mixed superpages at once.  A split that cannot
 * get memory leaves that superpage marked instead (lazy), so the call
 * itself cannot fail.
 */
static void exact_range(struct p2mk_p2m *p, uint64_t first, uint64_t last)
{
	uint64_t cur = first;
	while (cur <= last) {
		struct batch b = {.n = 0};
		if (p2mk_pt_walk(&p->pt, p2mk_gfn(cur), last - cur + 1, 0,
		                 collect, &b, NULL) != P2MK_OK ||
		    b.n == 0)
			return;
		for (unsigned i = 0; i < b.n; i++) {
			const struct p2mk_pt_leaf *lf = &b.leaf[i];
			bool split = false;
			enum p2mk_err err =
			    recompute_leaf(p, lf, false, &split);
			if (err == P2MK_ERR_NOMEM) {
				struct p2mk_pt_attrs set = {.flags =
				                                P2MK_PT_RECALC};
				(void)p2mk_pt_protect(&p->pt, lf->gfn,
				                      span(lf->level), &set,
				                      &recalc_mask);
				p->stats.marked++;
			}
			if (split) {
				/* Evaluate every child of the split leaf. */
				cur = lf->gfn.v;
				break;
			}
			cur = lf->gfn.v + span(lf->level);
		}
	}
}

/* Apply the strategy to [first, last] after a change the policy acts on. */
static void recalc_range(struct p2mk_p2m *p, uint64_t first, uint64_t last)
{
	uint64_t lim = gfn_limit(p) - 1;
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
		exact_range(p, first, last);
		break;
	}
}

static void changed(struct p2mk_p2m *p, const struct p2mk_mt_event *ev,
                    uint64_t first, uint64_t last)
{
	struct p2mk_policy_view v;
	const char *why = "";
	p->cur_vcpu = -1;
	p2mk_p2m_view(p, &v);
	if (!p->policy->resync(&v, ev, &why)) {
		p->stats.ignored++;
		return;
	}
	p->stats.resyncs++;
	recalc_range(p, first, last);
}

/* ---- lifecycle ------------------------------------------------------- */

static void count_inval(void *ctx, p2mk_gfn_t gfn, uint64_t count, bool nonleaf)
{
	struct p2mk_p2m *p = ctx;
	(void)gfn;
	(void)count;
	(void)nonleaf;
	p->stats.invals++;
}

static const struct p2mk_pt_fmt *arch_fmt(enum p2mk_arch arch)
{
	switch (arch) {
	case P2MK_ARCH_X86_EPT:
		return &p2mk_pt_fmt_ept4;
	case P2MK_ARCH_X86_NPT:
		return &p2mk_pt_fmt_npt;
	case P2MK_ARCH_ARM64:
		return &p2mk_pt_fmt_arm_s2_l4;
	default:
		return NULL;
	}
}

/* Can p2m keep this domain in tables of format @f?  (See cfg->fmt.) */
static bool fmt_usable(const struct p2mk_pt_fmt *f, enum p2mk_arch arch)
{
	uint16_t need = P2MK_PT_RECALC;
	if (arch == P2MK_ARCH_X86_EPT)
		need |= P2MK_PT_IPAT;
	return p2mk_pt_fmt_check(f) == P2MK_OK &&
	       p2mk_pt_fmt_root_pages(f) == 1 && (f->leaf_levels & 7u) == 7u &&
	       (f->flags_ok & need) == need && f->sw_bits >= 4;
}

enum p2mk_err p2mk_p2m_init(struct p2mk_p2m *p,
                            const struct p2mk_p2m_config *cfg,
                            const struct p2mk_policy *policy,
                            enum p2mk_recalc strategy,
                            const struct p2mk_mm_ops *mm)
{
	const struct p2mk_pt_fmt *fmt = cfg == NULL ? NULL
	                                : cfg->fmt != NULL
	                                    ? cfg->fmt
	                                    : arch_fmt(cfg->arch);
	if (fmt == NULL || !fmt_usable(fmt, cfg->arch) || policy == NULL ||
	    mm == NULL || policy->arch != cfg->arch ||
	    strategy > P2MK_RECALC_EXACT || cfg->nvcpus == 0 ||
	    cfg->nvcpus > P2MK_P2M_MAX_VCPUS || cfg->paddr_bits < 32 ||
	    cfg->paddr_bits > 52 || mm->alloc_page == NULL ||
	    mm->free_page == NULL || mm->phys_to_virt == NULL ||
	    mm->virt_to_phys == NULL)
		return P2MK_ERR_INVAL;
	uint64_t *shadow = mm->alloc_page(mm->ctx);
	if (shadow == NULL)
		return P2MK_ERR_NOMEM;
	struct p2mk_pt_sync sync = {count_inval, NULL, p};
	enum p2mk_err err = p2mk_pt_init(&p->pt, fmt, mm, &sync);
	if (err) {
		mm->free_page(mm->ctx, shadow);
		return err;
	}
	struct p2mk_pt pt = p->pt;
	*p = (struct p2mk_p2m){
	    .cfg = *cfg,
	    .policy = policy,
	    .strategy = strategy,
	    .pt = pt,
	    .mm = *mm,
	    .shadow = shadow,
	    .cur_vcpu = -1,
	};
	/* xen §2.3: VCNT 8, FIX and WC, MTRRs disabled, reset PAT. */
	struct p2mk_mtrr_config mc = {8, cfg->paddr_bits, true, true};
	for (unsigned i = 0; i < P2MK_P2M_MAX_VCPUS; i++)
		(void)p2mk_mtrr_init(&p->vcpu[i], &mc);
	(void)p2mk_mtrr_init(&p->host, &mc);
	return P2MK_OK;
}

void p2mk_p2m_destroy(struct p2mk_p2m *p)
{
	p2mk_pt_destroy(&p->pt);
	if (p->shadow != NULL)
		sh_sweep(p, 0, 0, true);
	p->shadow = NULL;
}

struct p2mk_p2m_stats p2mk_p2m_get_stats(const struct p2mk_p2m *p)
{
	return p->stats;
}

/* ---- set / get / clear ----------------------------------------------- */

static int any_leaf(void *ctx, const struct p2mk_pt_leaf *leaf)
{
	(void)ctx;
	(void)leaf;
	return 1;
}

enum p2mk_err p2mk_p2m_set(struct p2mk_p2m *p, p2mk_gfn_t gfn_t,
                           p2mk_mfn_t mfn_t, unsigned order,
                           enum p2mk_p2mt type)
{
	uint64_t gfn = gfn_t.v, mfn = mfn_t.v;
	if (!p2mk_p2mt_present(type) || order % 9 != 0 ||
	    !(p->pt.fmt.leaf_levels & (1u << (order / 9))))
		return P2MK_ERR_INVAL;
	uint64_t n = UINT64_C(1) << order;
	if ((gfn | mfn) & (n - 1))
		return P2MK_ERR_INVAL;
	if (gfn >= gfn_limit(p) || gfn + n > gfn_limit(p))
		return P2MK_ERR_RANGE;
	int found = 0;
	enum p2mk_err err =
	    p2mk_pt_walk(&p->pt, p2mk_gfn(gfn), n, 0, any_leaf, NULL, &found);
	if (err)
		return err;
	if (found)
		return P2MK_ERR_EXISTS;
	struct p2mk_p2m_stats saved = p->stats;
	struct p2mk_policy_out o;
	/* Toolstack/hypercall context: no current vCPU (xen §6 row 0). */
	p->cur_vcpu = -1;
	decide(p, type, order, gfn_t, mfn_t, &o);
	if (o.kind == P2MK_POL_REFUSED || o.kind == P2MK_POL_NONE) {
		p->stats = saved;
		return o.kind == P2MK_POL_REFUSED ? P2MK_ERR_UNSUPPORTED
		                                  : P2MK_ERR_INVAL;
	}
	struct p2mk_pt_attrs a = base_attrs(p, type, mfn_t);
	apply_out(p, &o, &a);
	err = p2mk_pt_map(&p->pt, gfn_t, mfn_t, n, &a, order, 0);
	if (err) {
		p->stats = saved;
		return err;
	}
	sh_sweep(p, gfn, gfn + n - 1, false);
	if (o.kind == P2MK_POL_MIXED && p->strategy == P2MK_RECALC_EXACT) {
		/* Split at once; a split that cannot get memory stays marked,
		 * which keeps the call all-or-nothing for the mapping. */
		exact_range(p, gfn, gfn + n - 1);
	}
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_clear(struct p2mk_p2m *p, p2mk_gfn_t gfn, uint64_t count)
{
	enum p2mk_err err = p2mk_pt_unmap(&p->pt, gfn, count);
	if (err == P2MK_OK)
		sh_sweep(p, gfn.v, gfn.v + count - 1, false);
	return err;
}

enum p2mk_err p2mk_p2m_get(const struct p2mk_p2m *p, p2mk_gfn_t gfn,
                           struct p2mk_p2m_entry *e)
{
	struct p2mk_pt_leaf lf;
	enum p2mk_err err = p2mk_pt_lookup(&p->pt, gfn, &lf);
	if (err)
		return err;
	struct path pa;
	read_path(p, gfn.v, &pa);
	*e = (struct p2mk_p2m_entry){
	    .mfn = p2mk_mfn(lf.mfn.v + (gfn.v - lf.gfn.v)),
	    .type = (enum p2mk_p2mt)lf.attrs.sw,
	    .order = (uint8_t)lf.order,
	    .attrs = lf.attrs,
	    .pending = path_pending(p, gfn.v, &pa),
	};
	return P2MK_OK;
}

/* ---- guest accesses -------------------------------------------------- */

enum p2mk_err p2mk_p2m_touch(struct p2mk_p2m *p, p2mk_gfn_t gfn_t,
                             unsigned vcpu, bool *exited)
{
	uint64_t gfn = gfn_t.v;
	*exited = false;
	if (vcpu >= p->cfg.nvcpus)
		return P2MK_ERR_INVAL;
	if (gfn >= gfn_limit(p))
		return P2MK_ERR_RANGE;
	struct path pa;
	read_path(p, gfn, &pa);
	if (path_pending(p, gfn, &pa)) {
		struct p2mk_p2m_stats saved = p->stats;
		p->cur_vcpu = (int)vcpu;
		enum p2mk_err err = resolve(p, gfn);
		p->cur_vcpu = -1;
		if (err) {
			p->stats = saved;
			return err;
		}
		p->stats.exits++;
		*exited = true;
	}
	struct p2mk_pt_leaf lf;
	return p2mk_pt_lookup(&p->pt, p2mk_gfn(gfn), &lf);
}

enum p2mk_err p2mk_p2m_resolve_all(struct p2mk_p2m *p, unsigned vcpu)
{
	uint64_t cur = 0, lim = gfn_limit(p);
	while (cur < lim) {
		struct batch b = {.n = 0};
		enum p2mk_err err = p2mk_pt_walk(
		    &p->pt, p2mk_gfn(cur), lim - cur, 0, collect, &b, NULL);
		if (err)
			return err;
		if (b.n == 0)
			return P2MK_OK;
		uint64_t next = cur;
		bool again = false;
		for (unsigned i = 0; i < b.n && !again; i++) {
			const struct p2mk_pt_leaf *lf = &b.leaf[i];
			struct path pa;
			uint64_t g = lf->gfn.v < cur ? cur : lf->gfn.v;
			read_path(p, g, &pa);
			bool ex = false;
			if (path_pending(p, g, &pa)) {
				err = p2mk_p2m_touch(p, p2mk_gfn(g), vcpu, &ex);
				if (err && err != P2MK_ERR_NOENT)
					return err;
			}
			if (ex) {
				next = g; /* look at the result again */
				again = true;
			} else {
				next = lf->gfn.v + span(lf->level);
			}
		}
		cur = next;
	}
	return P2MK_OK;
}

struct audit_ctx {
	struct p2mk_p2m *p;
	uint64_t pending, stale;
};

static int audit_leaf(void *ctx, const struct p2mk_pt_leaf *lf)
{
	struct audit_ctx *a = ctx;
	struct path pa;
	read_path(a->p, lf->gfn.v, &pa);
	if (path_pending(a->p, lf->gfn.v, &pa)) {
		a->pending++;
		return 0;
	}
	struct p2mk_policy_out o;
	struct p2mk_policy_view v;
	struct p2mk_policy_query q = {(enum p2mk_p2mt)lf->attrs.sw, lf->order,
	                              lf->gfn, lf->mfn};
	p2mk_p2m_view(a->p, &v);
	v.cur_vcpu = -1;
	a->p->policy->decide(&v, &q, &o);
	struct p2mk_pt_attrs na = lf->attrs;
	if (o.kind != P2MK_POL_TYPE) {
		a->stale++;
		return 0;
	}
	apply_out(a->p, &o, &na);
	if (!same_type(&na, &lf->attrs))
		a->stale++;
	return 0;
}

void p2mk_p2m_audit(const struct p2mk_p2m *p, uint64_t *pending,
                    uint64_t *stale)
{
	/* The walk is read-only; the cast only lets the callback share the
	 * decision helpers, which do not write through it. */
	struct audit_ctx a = {(struct p2mk_p2m *)p, 0, 0};
	(void)p2mk_pt_walk(&p->pt, p2mk_gfn(0), gfn_limit(p), 0, audit_leaf, &a,
	                   NULL);
	*pending = a.pending;
	*stale = a.stale;
}

/* ---- memory-type changes --------------------------------------------- */

/* Guest frames a variable pair can match: [base & mask, that | ~mask]. */
static void var_span(const struct p2mk_mtrr_state *m, unsigned n, uint64_t *lo,
                     uint64_t *hi)
{
	uint64_t addr = (UINT64_C(1) << m->maxphyaddr) - 1;
	uint64_t mask = m->var[n].mask & addr & ~UINT64_C(0xfff);
	uint64_t base = m->var[n].base & mask;
	if (!(m->var[n].mask & P2MK_MTRR_MASK_V)) {
		*lo = 1; /* empty */
		*hi = 0;
		return;
	}
	*lo = p2mk_pa_to_frame(base);
	*hi = p2mk_pa_to_frame(base | (~mask & addr));
}

enum p2mk_err p2mk_p2m_wrmsr(struct p2mk_p2m *p, unsigned vcpu, uint32_t msr,
                             uint64_t value, struct p2mk_gp *gp)
{
	if (vcpu >= p->cfg.nvcpus)
		return P2MK_ERR_INVAL;
	struct p2mk_mtrr_state *m = &p->vcpu[vcpu];
	uint64_t old = 0;
	(void)p2mk_mtrr_rdmsr(m, msr, &old, NULL);
	struct p2mk_mtrr_state before = *m;
	enum p2mk_err err = p2mk_mtrr_wrmsr(m, msr, value, gp);
	if (err)
		return err;
	bool cfp = p->nio != 0 || p->ioports != 0 || p->pdevs != 0;
	struct p2mk_mt_event ev = {.kind = P2MK_EV_MTRR_WRITE,
	                           .cfp_before = cfp,
	                           .cfp_after = cfp,
	                           .msr = msr,
	                           .old_value = old,
	                           .new_value = value,
	                           .def_type = m->def_type};
	/* The guest range the write can affect (RANGE/EXACT only). */
	uint64_t first = 0, last = ~UINT64_C(0);
	if (p2mk_mtrr_fixed_msr_index(msr) >= 0) {
		last = 0xff; /* the first MiB */
	} else if (msr >= P2MK_MSR_MTRR_PHYSBASE0 &&
	           msr < P2MK_MSR_MTRR_PHYSBASE0 + 2 * P2MK_MTRR_VCNT_MAX) {
		unsigned n = (msr - P2MK_MSR_MTRR_PHYSBASE0) / 2;
		uint64_t a0, a1, b0, b1;
		var_span(&before, n, &a0, &a1);
		var_span(m, n, &b0, &b1);
		if (a0 > a1) {
			a0 = b0;
			a1 = b1;
		} else if (b0 <= b1) {
			a0 = a0 < b0 ? a0 : b0;
			a1 = a1 > b1 ? a1 : b1;
		}
		first = a0;
		last = a1;
	}
	changed(p, &ev, first, last);
	return P2MK_OK;
}

static bool pin_type_ok(enum p2mk_mt t)
{
	return t == P2MK_MT_UC || t == P2MK_MT_WC || t == P2MK_MT_WT ||
	       t == P2MK_MT_WP || t == P2MK_MT_WB || t == P2MK_MT_UCM;
}

static bool cfp(const struct p2mk_p2m *p)
{
	return p->nio != 0 || p->ioports != 0 || p->pdevs != 0;
}

enum p2mk_err p2mk_p2m_pin(struct p2mk_p2m *p, p2mk_gfn_t gfn, uint64_t count,
                           enum p2mk_mt type)
{
	uint64_t lim =
	    p2mk_gpa_to_gfn(p2mk_gpa(UINT64_C(1) << p->cfg.paddr_bits)).v;
	if (count == 0 || gfn.v >= lim || count > lim - gfn.v ||
	    !pin_type_ok(type))
		return P2MK_ERR_INVAL;
	uint64_t start = gfn.v, end = gfn.v + count - 1;
	/* d63b2c60f7: uncached types need an IOMMU or I/O resources. */
	if ((type == P2MK_MT_UC || type == P2MK_MT_UCM || type == P2MK_MT_WC) &&
	    !p->cfg.iommu && !cfp(p))
		return P2MK_ERR_UNSUPPORTED;
	struct p2mk_mt_event ev = {.kind = P2MK_EV_PIN_ADD,
	                           .pin_type = type,
	                           .cfp_before = cfp(p),
	                           .cfp_after = cfp(p)};
	for (unsigned i = 0; i < p->npinned; i++) {
		struct p2mk_pinned *r = &p->pinned[i];
		uint64_t rend = r->gfn.v + (r->count - 1);
		if (r->gfn.v == start && r->count == count) {
			r->type = type;
			ev.kind = P2MK_EV_PIN_UPDATE;
			changed(p, &ev, start, end);
			return P2MK_OK;
		}
		if (start <= rend && end >= r->gfn.v)
			return P2MK_ERR_EXISTS; /* EBUSY */
	}
	if (p->npinned == P2MK_P2M_MAX_PINNED)
		return P2MK_ERR_NOMEM; /* ENOSPC (d484dcca79) */
	p->pinned[p->npinned++] = (struct p2mk_pinned){gfn, count, type};
	changed(p, &ev, start, end);
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_unpin(struct p2mk_p2m *p, p2mk_gfn_t gfn, uint64_t count)
{
	for (unsigned i = 0; i < p->npinned; i++) {
		if (p->pinned[i].gfn.v != gfn.v || p->pinned[i].count != count)
			continue;
		struct p2mk_mt_event ev = {.kind = P2MK_EV_PIN_DEL,
		                           .pin_type = p->pinned[i].type,
		                           .cfp_before = cfp(p),
		                           .cfp_after = cfp(p)};
		p->pinned[i] = p->pinned[--p->npinned];
		changed(p, &ev, gfn.v, gfn.v + count - 1);
		return P2MK_OK;
	}
	return P2MK_ERR_NOENT;
}

static void changed_all(struct p2mk_p2m *p, enum p2mk_mt_event_kind kind,
                        bool before)
{
	struct p2mk_mt_event ev = {
	    .kind = kind, .cfp_before = before, .cfp_after = cfp(p)};
	changed(p, &ev, 0, ~UINT64_C(0));
}

/* A non-empty range that does not wrap the 64-bit frame space. */
static bool range_ok(p2mk_mfn_t first, uint64_t count)
{
	return count != 0 && first.v + (count - 1) >= first.v;
}

enum p2mk_err p2mk_p2m_iomem_permit(struct p2mk_p2m *p, p2mk_mfn_t first,
                                    uint64_t count, uint32_t flags)
{
	if (!range_ok(first, count))
		return P2MK_ERR_INVAL;
	if (p->nio == P2MK_P2M_MAX_IO)
		return P2MK_ERR_NOMEM;
	bool before = cfp(p);
	p->io[p->nio++] = (struct p2mk_io_range){{first, count}, flags};
	changed_all(p, P2MK_EV_IOMEM_PERMIT, before);
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_iomem_deny(struct p2mk_p2m *p, p2mk_mfn_t first,
                                  uint64_t count)
{
	for (unsigned i = 0; i < p->nio; i++) {
		if (p->io[i].mfns.first.v != first.v ||
		    p->io[i].mfns.count != count)
			continue;
		bool before = cfp(p);
		p->io[i] = p->io[--p->nio];
		changed_all(p, P2MK_EV_IOMEM_DENY, before);
		return P2MK_OK;
	}
	return P2MK_ERR_NOENT;
}

enum p2mk_err p2mk_p2m_ioports_permit(struct p2mk_p2m *p)
{
	bool before = cfp(p);
	p->ioports++;
	changed_all(p, P2MK_EV_IOMEM_PERMIT, before);
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_ioports_deny(struct p2mk_p2m *p)
{
	if (p->ioports == 0)
		return P2MK_ERR_NOENT;
	bool before = cfp(p);
	p->ioports--;
	changed_all(p, P2MK_EV_IOMEM_DENY, before);
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_assign_device(struct p2mk_p2m *p)
{
	bool before = cfp(p);
	p->pdevs++;
	changed_all(p, P2MK_EV_DEV_ASSIGN, before);
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_deassign_device(struct p2mk_p2m *p)
{
	if (p->pdevs == 0)
		return P2MK_ERR_NOENT;
	bool before = cfp(p);
	p->pdevs--;
	changed_all(p, P2MK_EV_DEV_DEASSIGN, before);
	return P2MK_OK;
}

static enum p2mk_err add_range(struct p2mk_p2m *p, struct p2mk_mfn_range *r,
                               unsigned *n, unsigned max, p2mk_mfn_t first,
                               uint64_t count)
{
	if (!range_ok(first, count))
		return P2MK_ERR_INVAL;
	if (*n == max)
		return P2MK_ERR_NOMEM;
	r[(*n)++] = (struct p2mk_mfn_range){first, count};
	changed_all(p, P2MK_EV_CONFIG, cfp(p));
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_add_mmio_ro(struct p2mk_p2m *p, p2mk_mfn_t first,
                                   uint64_t count)
{
	return add_range(p, p->mmio_ro, &p->nmmio_ro, P2MK_P2M_MAX_RO, first,
	                 count);
}

enum p2mk_err p2mk_p2m_add_special(struct p2mk_p2m *p, p2mk_mfn_t first,
                                   uint64_t count)
{
	return add_range(p, p->special, &p->nspecial, P2MK_P2M_MAX_SPECIAL,
	                 first, count);
}

enum p2mk_err p2mk_p2m_set_host_mtrr(struct p2mk_p2m *p,
                                     const struct p2mk_mtrr_state *host)
{
	p->have_host = host != NULL;
	if (host != NULL)
		p->host = *host;
	changed_all(p, P2MK_EV_CONFIG, cfp(p));
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_set_guest_cd(struct p2mk_p2m *p, unsigned vcpu, bool cd)
{
	if (vcpu >= p->cfg.nvcpus)
		return P2MK_ERR_INVAL;
	p->vcpu_cd[vcpu] = cd;
	changed_all(p, P2MK_EV_CONFIG, cfp(p));
	return P2MK_OK;
}

enum p2mk_err p2mk_p2m_recalc(struct p2mk_p2m *p, p2mk_gfn_t gfn,
                              uint64_t count)
{
	if (count == 0)
		return P2MK_ERR_INVAL;
	p->stats.resyncs++;
	recalc_range(p, gfn.v, gfn.v + count - 1);
	return P2MK_OK;
}
