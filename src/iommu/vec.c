// SPDX-License-Identifier: BSD-2-Clause
/*
 * A list of 32-byte records in 4 KiB pages from the injected allocator:
 * the model IOTLB's stale translations and the deferred-release list.  The
 * core may not call malloc, and these lists grow with the work pending
 * between flushes (bounded by the flush queue in LAZY mode).
 */
#include "internal.h"

_Static_assert(sizeof(struct vec_page) <= P2MK_PAGE_SIZE, "one page");

enum p2mk_err vec_push(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm,
                       struct iommu_rec r)
{
	struct vec_page *t = v->tail;
	if (t == NULL || t->n == VEC_PER_PAGE) {
		struct vec_page *p = v->spare;
		v->spare = NULL;
		if (p == NULL)
			p = mm->alloc_page(mm->ctx);
		if (p == NULL)
			return P2MK_ERR_NOMEM;
		p->next = NULL;
		p->n = 0;
		if (t == NULL)
			v->head = p;
		else
			t->next = p;
		v->tail = p;
		v->pages++;
		t = p;
	}
	t->rec[t->n++] = r;
	v->n++;
	return P2MK_OK;
}

struct iommu_rec *vec_last(struct p2mk_iommu_vec *v)
{
	struct vec_page *t = v->tail;
	return t == NULL || t->n == 0 ? NULL : &t->rec[t->n - 1];
}

/* Free every page after @keep_tail (NULL: all) and make it the tail. */
static void cut_after(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm,
                      struct vec_page *keep_tail)
{
	struct vec_page *p = keep_tail ? keep_tail->next : v->head;
	while (p != NULL) {
		struct vec_page *next = p->next;
		mm->free_page(mm->ctx, p);
		v->pages--;
		p = next;
	}
	if (keep_tail != NULL)
		keep_tail->next = NULL;
	else
		v->head = NULL;
	v->tail = keep_tail;
}

void vec_truncate(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm,
                  uint64_t n)
{
	if (n >= v->n)
		return;
	struct vec_page *p = v->head, *last = NULL;
	uint64_t seen = 0;
	while (p != NULL && seen + p->n <= n) {
		seen += p->n;
		last = p;
		p = p->next;
	}
	if (p != NULL && n > seen) {
		p->n = n - seen; /* keep the first part of this page */
		last = p;
	}
	cut_after(v, mm, last);
	v->n = n;
}

void vec_filter(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm,
                bool (*keep)(void *ctx, struct iommu_rec *r), void *ctx)
{
	struct vec_page *w = v->head;
	uint64_t wi = 0, kept = 0;
	for (struct vec_page *p = v->head; p != NULL; p = p->next) {
		for (uint64_t i = 0; i < p->n; i++) {
			struct iommu_rec r = p->rec[i];
			if (!keep(ctx, &r))
				continue;
			if (wi == VEC_PER_PAGE) {
				w->n = wi;
				w = w->next;
				wi = 0;
			}
			w->rec[wi++] = r;
			kept++;
		}
	}
	if (w == NULL)
		return;
	w->n = wi;
	cut_after(v, mm, kept == 0 ? NULL : w);
	v->n = kept;
}

enum p2mk_err vec_reserve(struct p2mk_iommu_vec *v,
                          const struct p2mk_mm_ops *mm, unsigned n)
{
	const struct vec_page *t = v->tail;
	if (v->spare != NULL || (t != NULL && VEC_PER_PAGE - t->n >= n))
		return P2MK_OK;
	v->spare = mm->alloc_page(mm->ctx);
	return v->spare != NULL ? P2MK_OK : P2MK_ERR_NOMEM;
}

void vec_free(struct p2mk_iommu_vec *v, const struct p2mk_mm_ops *mm)
{
	cut_after(v, mm, NULL);
	v->n = 0;
	if (v->spare != NULL)
		mm->free_page(mm->ctx, v->spare);
	v->spare = NULL;
}
