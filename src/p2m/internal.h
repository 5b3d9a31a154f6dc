/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to src/p2m: what the domain (domain.c), the decisions
 * (decide.c), the recalculation strategies with their mark tree
 * (recalc.c) and the memory-type change events (events.c) share.
 */
#ifndef P2MKIT_P2M_INTERNAL_H
#define P2MKIT_P2M_INTERNAL_H

#include <p2mkit/memtype.h>
#include <p2mkit/p2m.h>

#define P2MI_NENT P2MK_PT_ENTRIES
#define P2MI_IDXM (P2MK_PT_ENTRIES - 1u)

/* Frames one entry at @level covers (levels are 0..5). */
static inline uint64_t p2mi_span(unsigned level)
{
	P2MK_BUG_ON(level >= P2MK_PT_MAX_LEVELS);
	return UINT64_C(1) << (P2MK_PT_TABLE_LG2 * level);
}

static inline unsigned p2mi_top(const struct p2mk_p2m *p)
{
	return p->pt.fmt.levels - 1u;
}

/* Index of @gfn's entry in the level-@level table on its path. */
static inline unsigned p2mi_idx(uint64_t gfn, unsigned level)
{
	return (unsigned)(gfn >> (P2MK_PT_TABLE_LG2 * level)) & P2MI_IDXM;
}

/* Xen's cache_flush_permitted(d) from the domain's own lists (xen §8.1). */
static inline bool p2mi_cfp(const struct p2mk_p2m *p)
{
	return p->nio != 0 || p->ioports != 0 || p->pdevs != 0;
}

/* ---- decide.c ---- */

/*
 * The policy's answer for one block, decided for vCPU @vcpu (-1: no
 * current vCPU, xen §6 row 0).  Pure: counters are the caller's.
 */
void p2mk_p2mi_decide(const struct p2mk_p2m *p, int vcpu, enum p2mk_p2mt type,
                      unsigned order, p2mk_gfn_t gfn, p2mk_mfn_t mfn,
                      struct p2mk_policy_out *o);

/* Permissions and software type of an entry (xen §10 "EPT perms"). */
struct p2mk_pt_attrs p2mk_p2mi_base_attrs(const struct p2mk_p2m *p,
                                          enum p2mk_p2mt type, p2mk_mfn_t mfn);

/* The memory-type fields of an answer (MIXED: the pending form). */
void p2mk_p2mi_apply_out(const struct p2mk_p2m *p,
                         const struct p2mk_policy_out *o,
                         struct p2mk_pt_attrs *a);

/* Same memory type (type field and IPAT)? */
bool p2mk_p2mi_same_type(const struct p2mk_pt_attrs *x,
                         const struct p2mk_pt_attrs *y);

/* ---- recalc.c ---- */

/* Up to P2MI_BATCH leaves of a walk (p2mk_p2mi_collect is its callback). */
#define P2MI_BATCH 64u
struct p2mk_p2mi_batch {
	struct p2mk_pt_leaf leaf[P2MI_BATCH];
	unsigned n;
};
int p2mk_p2mi_collect(void *ctx, const struct p2mk_pt_leaf *leaf);

/* Is anything on @gfn's path marked?  (A guest access would exit.) */
bool p2mk_p2mi_pending(const struct p2mk_p2m *p, uint64_t gfn);

/* resolve_misconfig (xen §9.4) for @gfn, with p->cur_vcpu's MTRRs. */
enum p2mk_err p2mk_p2mi_resolve(struct p2mk_p2m *p, uint64_t gfn);

/* Forget the marks of every table wholly inside [first, last]. */
void p2mk_p2mi_unmark(struct p2mk_p2m *p, uint64_t first, uint64_t last);

/* Free the whole mark tree. */
void p2mk_p2mi_free_marks(struct p2mk_p2m *p);

/* EXACT: recompute every leaf of [first, last] now (xen §9 strategies). */
void p2mk_p2mi_exact_range(struct p2mk_p2m *p, uint64_t first, uint64_t last);

/* Apply the domain's strategy to [first, last] after a change. */
void p2mk_p2mi_recalc_range(struct p2mk_p2m *p, uint64_t first, uint64_t last);

#endif /* P2MKIT_P2M_INTERNAL_H */
