/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helpers shared by the tests/core/test_pt_*.c programs: a pt on the
 * accounting test allocator whose invalidation and free-table callbacks
 * record an event log, snapshots of a whole tree, random attributes, and
 * the flat per-page reference model used by the oracle tests.
 *
 * Everything is static: each test program includes this header once.
 */
#ifndef P2MKIT_TEST_PT_COMMON_H
#define P2MKIT_TEST_PT_COMMON_H

#include "test_support.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p2mkit/pt.h>

/* ---- environment: allocator + event log ------------------------------- */

enum ptt_ev_kind { PTT_INVAL, PTT_FREE };

struct ptt_ev {
	enum ptt_ev_kind kind;
	uint64_t gfn, count;
	bool nonleaf;
	void *page;
};

struct ptt_env {
	struct test_alloc alloc;
	struct p2mk_pt pt;
	struct ptt_ev *ev;
	size_t nev, cap;
	bool log; /* keep events (else only free pages at once) */
};

static inline void ptt_push(struct ptt_env *env, struct ptt_ev ev)
{
	if (env->nev == env->cap) {
		env->cap = env->cap ? env->cap * 2 : 256;
		env->ev = realloc(env->ev, env->cap * sizeof(*env->ev));
		assert_non_null(env->ev);
	}
	env->ev[env->nev++] = ev;
}

static inline void ptt_inval(void *ctx, p2mk_gfn_t gfn, uint64_t count,
                             bool nonleaf)
{
	struct ptt_env *env = ctx;
	assert_true(count > 0);
	ptt_push(env, (struct ptt_ev){PTT_INVAL, gfn.v, count, nonleaf, NULL});
}

/* Pages are held until ptt_events_done(), like a real deferred free. */
static inline void ptt_free_table(void *ctx, void *page)
{
	struct ptt_env *env = ctx;
	ptt_push(env, (struct ptt_ev){PTT_FREE, 0, 0, false, page});
}

/* Return every held page to the allocator and forget the log. */
static inline void ptt_events_done(struct ptt_env *env)
{
	for (size_t i = 0; i < env->nev; i++)
		if (env->ev[i].kind == PTT_FREE)
			env->alloc.ops.free_page(env->alloc.ops.ctx,
			                         env->ev[i].page);
	env->nev = 0;
}

static inline void ptt_setup(struct ptt_env *env, const struct p2mk_pt_fmt *fmt)
{
	memset(env, 0, sizeof(*env));
	test_alloc_init(&env->alloc);
	struct p2mk_pt_sync sync = {ptt_inval, ptt_free_table, env};
	assert_int_equal(p2mk_pt_init(&env->pt, fmt, &env->alloc.ops, &sync),
	                 P2MK_OK);
}

static inline void ptt_teardown(struct ptt_env *env)
{
	p2mk_pt_destroy(&env->pt);
	ptt_events_done(env);
	assert_int_equal(env->alloc.live, 0);
	free(env->ev);
	env->ev = NULL;
	env->cap = 0;
}

/* ---- snapshots: every present entry of the tree ----------------------- */

struct ptt_snap_ent {
	uint64_t gfn;
	unsigned level;
	bool table;
	uint64_t raw;
};

struct ptt_snap {
	struct ptt_snap_ent *e;
	size_t n, cap;
};

static inline int ptt_snap_visit(void *ctx, const struct p2mk_pt_leaf *l)
{
	struct ptt_snap *s = ctx;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->e = realloc(s->e, s->cap * sizeof(*s->e));
		assert_non_null(s->e);
	}
	s->e[s->n++] =
	    (struct ptt_snap_ent){l->gfn.v, l->level, l->table, l->raw};
	return 0;
}

static inline void ptt_snapshot(const struct p2mk_pt *pt, uint64_t gfn,
                                uint64_t count, struct ptt_snap *s)
{
	s->n = 0;
	assert_int_equal(p2mk_pt_walk(pt, p2mk_gfn(gfn), count,
	                              P2MK_PT_WALK_TABLES, ptt_snap_visit, s,
	                              NULL),
	                 P2MK_OK);
}

static inline void ptt_snap_equal(const struct ptt_snap *a,
                                  const struct ptt_snap *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_int_equal(a->e[i].gfn, b->e[i].gfn);
		assert_int_equal(a->e[i].level, b->e[i].level);
		assert_int_equal(a->e[i].table, b->e[i].table);
		/* table entries differ only if the table moved: compare raw */
		assert_int_equal(a->e[i].raw, b->e[i].raw);
	}
}

static inline void ptt_snap_free(struct ptt_snap *s)
{
	free(s->e);
	s->e = NULL;
	s->n = s->cap = 0;
}

/* ---- attributes -------------------------------------------------------- */

static inline bool ptt_attrs_eq(const struct p2mk_pt_attrs *a,
                                const struct p2mk_pt_attrs *b)
{
	return a->perm == b->perm && a->mt == b->mt && a->sh == b->sh &&
	       a->sw == b->sw && a->flags == b->flags;
}

/* A random attribute set the format accepts. */
static inline struct p2mk_pt_attrs ptt_rand_attrs(struct test_rng *r,
                                                  const struct p2mk_pt_fmt *f)
{
	for (;;) {
		struct p2mk_pt_attrs a;
		a.perm = (uint8_t)test_rng_below(r, 8);
		a.mt = (uint8_t)test_rng_below(r, 16);
		a.sh = (uint8_t)test_rng_below(r, 4);
		a.sw = (uint8_t)test_rng_below(r, 1u << f->sw_bits);
		a.flags = (uint16_t)(test_rng_next(r) & f->flags_ok);
		if (f->ops->check(f, &a) == P2MK_OK)
			return a;
	}
}

static inline struct p2mk_pt_attrs ptt_merge(const struct p2mk_pt_attrs *o,
                                             const struct p2mk_pt_attrs *s,
                                             const struct p2mk_pt_attrs *m)
{
	struct p2mk_pt_attrs n;
	n.perm = (uint8_t)((o->perm & ~m->perm) | (s->perm & m->perm));
	n.mt = (uint8_t)((o->mt & ~m->mt) | (s->mt & m->mt));
	n.sh = (uint8_t)((o->sh & ~m->sh) | (s->sh & m->sh));
	n.sw = (uint8_t)((o->sw & ~m->sw) | (s->sw & m->sw));
	n.flags = (uint16_t)((o->flags & ~m->flags) | (s->flags & m->flags));
	return n;
}

/* ---- counting leaves ------------------------------------------------- */

struct ptt_count {
	uint64_t leaves[P2MK_PT_MAX_LEVELS];
	uint64_t total;
};

static inline int ptt_count_visit(void *ctx, const struct p2mk_pt_leaf *l)
{
	struct ptt_count *c = ctx;
	if (!l->table) {
		c->leaves[l->level]++;
		c->total++;
	}
	return 0;
}

static inline struct ptt_count ptt_count_leaves(const struct p2mk_pt *pt,
                                                uint64_t gfn, uint64_t count)
{
	struct ptt_count c;
	memset(&c, 0, sizeof(c));
	assert_int_equal(p2mk_pt_walk(pt, p2mk_gfn(gfn), count, 0,
	                              ptt_count_visit, &c, NULL),
	                 P2MK_OK);
	return c;
}

/*
 * Check the event log of one operation: every freed page must come after
 * an inval whose range covers @cover[i] (the range the page translated
 * before the operation; filled by ptt_table_ranges()).
 */
struct ptt_table_range {
	void *page;
	uint64_t gfn, count;
};

struct ptt_tr_ctx {
	const struct p2mk_pt *pt;
	struct ptt_table_range *r;
	size_t n, cap;
};

static inline int ptt_tr_visit(void *ctx, const struct p2mk_pt_leaf *l)
{
	struct ptt_tr_ctx *c = ctx;
	if (!l->table)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->r = realloc(c->r, c->cap * sizeof(*c->r));
		assert_non_null(c->r);
	}
	void *va =
	    c->pt->mm.phys_to_virt(c->pt->mm.ctx, l->mfn.v << P2MK_PAGE_SHIFT);
	c->r[c->n++] =
	    (struct ptt_table_range){va, l->gfn.v, UINT64_C(1) << l->order};
	return 0;
}

static inline void ptt_check_free_order(const struct ptt_env *env,
                                        const struct ptt_tr_ctx *tr)
{
	for (size_t i = 0; i < env->nev; i++) {
		if (env->ev[i].kind != PTT_FREE)
			continue;
		const struct ptt_table_range *r = NULL;
		for (size_t k = 0; k < tr->n; k++)
			if (tr->r[k].page == env->ev[i].page)
				r = &tr->r[k];
		if (r == NULL) { /* only tables that existed are freed */
			fail_msg("freed page %p was not a table",
			         env->ev[i].page);
			continue;
		}
		bool covered = false;
		for (size_t j = 0; j < i && !covered; j++)
			covered = env->ev[j].kind == PTT_INVAL &&
			          env->ev[j].nonleaf &&
			          env->ev[j].gfn <= r->gfn &&
			          env->ev[j].gfn + env->ev[j].count >=
			              r->gfn + r->count;
		assert_true(covered);
	}
}

#endif /* P2MKIT_TEST_PT_COMMON_H */
