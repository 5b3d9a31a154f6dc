// SPDX-License-Identifier: BSD-2-Clause
/*
 * Lifetime of a tree: init, destroy, and giving table pages back (one
 * table, a detached subtree, a table replaced by a leaf).  A page that
 * hardware may have seen goes to p2mk_pt_sync.free_table only after an
 * inval call covering it (iommu-invalidation.md §6.1).
 */
#include "cursor.h"
#include "fmt_ept.h"

void p2mk_pti_release_table(struct p2mk_pt *pt, uint64_t *t)
{
	pt->stats.table_pages--;
	pt->stats.tables_freed++;
	if (pt->sync.free_table)
		pt->sync.free_table(pt->sync.ctx, t);
	else
		pt->mm.free_page(pt->mm.ctx, t);
}

/* Leaving a finished table of a detached subtree: it goes too. */
static void free_leave(void *ctx, struct pt_cur *c)
{
	p2mk_pti_release_table(ctx, c->tbl[c->level - 1]);
}

void p2mk_pti_free_subtree(struct p2mk_pt *pt, uint64_t *t, unsigned level)
{
	struct pt_cur c;
	bool more = true;
	cur_init_table(&c, t, level, 0);
	while (more) {
		uint64_t e = *cur_slot(&c);
		if (c.level == 0) /* leaves only: skip the whole table */
			more =
			    cur_next_to(&c, cur_table_end(&c), free_leave, pt);
		else if (ent_table(pt, e, c.level))
			cur_descend(&c, table_va(pt, e));
		else
			more = cur_next(&c, free_leave, pt);
	}
	p2mk_pti_release_table(pt, t);
}

void p2mk_pti_drop_table(struct pt_inval *iv, uint64_t *p, unsigned level,
                         uint64_t g, uint64_t v)
{
	struct p2mk_pt *pt = iv->pt;
	uint64_t *t = table_va(pt, *p);
	/* break-before-make formats always go through an invalid entry */
	if (v == 0 || pt->fmt.bbm_mask) {
		wr_entry(p, 0);
		inval_add(iv, g, pt_span(level), true);
		inval_flush(iv);
		if (v)
			wr_entry(p, v);
	} else {
		wr_entry(p, v);
		inval_add(iv, g, pt_span(level), true);
		inval_flush(iv);
	}
	p2mk_pti_free_subtree(pt, t, level - 1);
}

static enum p2mk_err init_common(struct p2mk_pt *pt,
                                 const struct p2mk_pt_fmt *fmt,
                                 const struct p2mk_mm_ops *mm,
                                 const struct p2mk_pt_sync *sync)
{
	if (pt == NULL || mm == NULL || mm->alloc_page == NULL ||
	    mm->free_page == NULL || mm->virt_to_phys == NULL ||
	    mm->phys_to_virt == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = p2mk_pt_fmt_check(fmt);
	if (err)
		return err;
	*pt = (struct p2mk_pt){0};
	pt->fmt = *fmt;
	pt->mm = *mm;
	if (sync)
		pt->sync = *sync;
	pt->root_pages = p2mk_pt_fmt_root_pages(fmt);
	pt->gfn_limit =
	    fmt->ias >= 64 ? UINT64_C(1) << 52 : UINT64_C(1) << (fmt->ias - 12);
	pt->mfn_limit = UINT64_C(1) << (fmt->oas - 12);
	pt->oa_mask = P2MK_GENMASK(fmt->oa_hi, 12);
	pt->ept_masks = p2mk_pti_ept_masks(fmt);
	return P2MK_OK;
}

enum p2mk_err p2mk_pt_init(struct p2mk_pt *pt, const struct p2mk_pt_fmt *fmt,
                           const struct p2mk_mm_ops *mm,
                           const struct p2mk_pt_sync *sync)
{
	enum p2mk_err err = init_common(pt, fmt, mm, sync);
	if (err)
		return err;
	for (unsigned i = 0; i < pt->root_pages; i++) {
		pt->root[i] = pt->mm.alloc_page(pt->mm.ctx);
		if (pt->root[i] == NULL) {
			while (i--)
				pt->mm.free_page(pt->mm.ctx, pt->root[i]);
			*pt = (struct p2mk_pt){0};
			return P2MK_ERR_NOMEM;
		}
	}
	pt->root_owned = true;
	pt->stats.table_pages = pt->root_pages;
	return P2MK_OK;
}

enum p2mk_err p2mk_pt_init_with_root(struct p2mk_pt *pt,
                                     const struct p2mk_pt_fmt *fmt,
                                     const struct p2mk_mm_ops *mm,
                                     const struct p2mk_pt_sync *sync,
                                     void *root)
{
	if (root == NULL)
		return P2MK_ERR_INVAL;
	enum p2mk_err err = init_common(pt, fmt, mm, sync);
	if (err)
		return err;
	for (unsigned i = 0; i < pt->root_pages; i++)
		pt->root[i] = (uint64_t *)root + (size_t)i * PT_NENT;
	pt->root_owned = false;
	pt->stats.table_pages = pt->root_pages;
	return P2MK_OK;
}

/* Anything present in the root? */
static bool root_in_use(const struct p2mk_pt *pt)
{
	struct pt_cur c;
	cur_init(&c, pt, 0, pt->gfn_limit);
	do {
		if (ent_present(pt, *cur_slot(&c)))
			return true;
	} while (cur_next(&c, NULL, NULL));
	return false;
}

void p2mk_pt_destroy(struct p2mk_pt *pt)
{
	if (pt == NULL || pt->root_pages == 0)
		return;
	if (root_in_use(pt)) {
		if (pt->sync.inval)
			pt->sync.inval(pt->sync.ctx, p2mk_gfn(0), pt->gfn_limit,
			               true);
		pt->stats.invals++;
	}
	struct pt_cur c;
	cur_init(&c, pt, 0, pt->gfn_limit);
	do {
		uint64_t *p = cur_slot(&c);
		if (ent_table(pt, *p, c.level))
			p2mk_pti_free_subtree(pt, table_va(pt, *p),
			                      c.level - 1);
		*p = 0;
	} while (cur_next(&c, NULL, NULL));
	if (pt->root_owned)
		for (unsigned r = 0; r < pt->root_pages; r++)
			p2mk_pti_release_table(pt, pt->root[r]);
	*pt = (struct p2mk_pt){0};
}

void p2mk_pt_set_direct_map(struct p2mk_pt *pt, uint64_t va_offset)
{
	if (pt == NULL)
		return;
	pt->direct = true;
	pt->va_offset = va_offset;
}

void p2mk_pt_set_sync(struct p2mk_pt *pt, const struct p2mk_pt_sync *sync)
{
	if (pt == NULL)
		return;
	if (sync)
		pt->sync = *sync;
	else
		pt->sync = (struct p2mk_pt_sync){0};
}

uint64_t p2mk_pt_root_pa(const struct p2mk_pt *pt)
{
	return pt->mm.virt_to_phys(pt->mm.ctx, pt->root[0]);
}

uint64_t *p2mk_pt_root_table(const struct p2mk_pt *pt, unsigned i)
{
	return i < pt->root_pages ? pt->root[i] : NULL;
}

struct p2mk_pt_stats p2mk_pt_get_stats(const struct p2mk_pt *pt)
{
	return pt->stats;
}
