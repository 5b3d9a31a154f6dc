/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to src/pt: one mutating call (map, unmap, protect) in progress,
 * shared by its prepare/commit walker (update.c), the level-0 runs
 * (run.c) and the page reservation (resv.c).
 */
#ifndef P2MKIT_PT_UPDATE_H
#define P2MKIT_PT_UPDATE_H

#include "cursor.h"

enum op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

struct pt_op {
	struct p2mk_pt *pt;
	struct pt_cur cur;
	enum op_kind kind;
	bool commit;       /* false: prepare (read-only), true: commit */
	bool replace;      /* map: P2MK_PT_MAP_REPLACE */
	bool stream;       /* map: fill fresh tables with streaming stores */
	uint64_t gfn, end; /* [gfn, end) in 4 KiB frames */
	uint64_t mfn;      /* map: frame for gfn */
	unsigned max_level;
	uint64_t tmpl[P2MK_PT_MAX_LEVELS]; /* map: leaf bits without address */
	struct p2mk_pt_attrs set, mask;    /* protect */
	bool mask_full;
	struct pt_inval iv;
	/* reservation (resv.c) */
	uint64_t need;   /* prepare: table pages commit will take */
	uint64_t *resv;  /* current index page of the reservation */
	unsigned resv_n; /* pages listed in it */
	uint64_t nresv;
	/*
	 * Per level, for the table the cursor is in.  Prepare: a NULL table
	 * is virtual (commit will create it); vleaf says it holds the
	 * children of a superpage being split (vtmpl, vout), else it is
	 * empty.  Commit: fresh says this call created the table.
	 */
	bool vleaf[P2MK_PT_MAX_LEVELS];
	bool fresh[P2MK_PT_MAX_LEVELS];
	uint64_t vtmpl[P2MK_PT_MAX_LEVELS];
	uint64_t vout[P2MK_PT_MAX_LEVELS];
};

/* ---- resv.c ---- */

/* Allocate op->need pages; on failure nothing is held: P2MK_ERR_NOMEM. */
enum p2mk_err p2mk_pti_resv_fill(struct pt_op *op);

/* A zeroed reserved page, counted as a table page (commit only). */
uint64_t *p2mk_pti_resv_take(struct pt_op *op);

/* Give back what commit did not take (nothing, when prepare is exact). */
void p2mk_pti_resv_release(struct pt_op *op);

/* ---- run.c: a run of @n 4 KiB entries at @p, for frames from @pos ---- */

enum p2mk_err p2mk_pti_run_map(struct pt_op *op, uint64_t *p, uint64_t pos,
                               uint64_t n);
void p2mk_pti_run_unmap(struct pt_op *op, uint64_t *p, uint64_t pos,
                        uint64_t n);
enum p2mk_err p2mk_pti_run_protect(struct pt_op *op, uint64_t *p, uint64_t pos,
                                   uint64_t n);

/* ---- update.c ---- */

/*
 * Replace present entry *@p (covering [@g, @g + @n)) by @v.  On
 * break-before-make formats a change of output, type or size goes through
 * an invalid entry and a completed invalidation first (DDI 0487 D8.16.1).
 */
void p2mk_pti_replace_entry(struct pt_inval *iv, uint64_t *p, uint64_t v,
                            uint64_t g, uint64_t n, bool nonleaf, bool table);

/* Field-by-field (old & ~mask) | (set & mask). */
struct p2mk_pt_attrs p2mk_pti_attrs_merge(const struct p2mk_pt_attrs *old,
                                          const struct p2mk_pt_attrs *set,
                                          const struct p2mk_pt_attrs *mask);

/* ---- one.c: one-page fast paths ---- */

/*
 * Map (unmap) the single page @gfn when its level-0 table already exists:
 * one walk, nothing reserved.  Returns false, having changed nothing, when
 * the page needs a table created or a superpage split: the caller then
 * takes the general path.  On true, *@err is the call's result.
 */
bool p2mk_pti_map_one(struct p2mk_pt *pt, uint64_t gfn, uint64_t mfn,
                      const struct p2mk_pt_attrs *a, bool replace,
                      enum p2mk_err *err);
bool p2mk_pti_unmap_one(struct p2mk_pt *pt, uint64_t gfn);

#endif /* P2MKIT_PT_UPDATE_H */
