// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reservation between prepare and commit (update.c): prepare counts
 * the table pages commit will take, they are all allocated before commit
 * writes anything, and a failure frees them, so a call that cannot get
 * its memory changes nothing (Hafnium's mm_ptable_prepare/commit,
 * landscape-and-users.md §4.1).
 *
 * Reserved pages are listed in index pages that are themselves reserved
 * pages: word 0 links to the previous index page, words 1..511 point to
 * other reserved pages.  So only one page in 512 is written before it is
 * used (touching every page twice, at reservation and at use, would cost
 * a cache miss per table).  An index page is used last, after zeroing.
 */
#include "update.h"

#define RESV_SLOTS (PT_NENT - 1u)

static inline uint64_t **resv_slots(uint64_t *idx)
{
	return (uint64_t **)idx;
}

static void resv_push(struct pt_op *op, uint64_t *p)
{
	if (op->resv == NULL || op->resv_n == RESV_SLOTS) {
		resv_slots(p)[0] = op->resv;
		op->resv = p;
		op->resv_n = 0;
	} else {
		resv_slots(op->resv)[1 + op->resv_n++] = p;
	}
	op->nresv++;
}

/* Next reserved page; the caller gets it zeroed. */
static uint64_t *resv_pop(struct pt_op *op)
{
	uint64_t *p;
	if (op->resv_n > 0) {
		p = resv_slots(op->resv)[op->resv_n--];
	} else {
		p = op->resv;
		op->resv = resv_slots(p)[0];
		/* every older index page is full by construction */
		op->resv_n = op->resv ? RESV_SLOTS : 0;
		for (unsigned i = 0; i < PT_NENT; i++)
			p[i] = 0;
	}
	op->nresv--;
	return p;
}

void p2mk_pti_resv_release(struct pt_op *op)
{
	struct p2mk_pt *pt = op->pt;
	while (op->nresv) {
		/* Never visible to hardware: straight back to the allocator. */
		pt->mm.free_page(pt->mm.ctx, resv_pop(op));
	}
	op->resv = NULL;
	op->resv_n = 0;
}

enum p2mk_err p2mk_pti_resv_fill(struct pt_op *op)
{
	struct p2mk_pt *pt = op->pt;
	for (uint64_t i = 0; i < op->need; i++) {
		uint64_t *p = pt->mm.alloc_page(pt->mm.ctx);
		if (p == NULL) {
			p2mk_pti_resv_release(op);
			return P2MK_ERR_NOMEM;
		}
		resv_push(op, p);
	}
	return P2MK_OK;
}

uint64_t *p2mk_pti_resv_take(struct pt_op *op)
{
	/* prepare counted exactly; running dry would be an engine bug */
	uint64_t *p = resv_pop(op);
	op->pt->stats.table_pages++;
	return p;
}
