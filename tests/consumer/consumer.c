// SPDX-License-Identifier: BSD-2-Clause
/* An out-of-tree embedder: its own page allocator, 2 MiB mapped in EPT. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <p2mkit/pt.h>

/* The host's page pool; its "physical" addresses start at 1 MiB. */
static _Alignas(4096) unsigned char pool[8][4096];
static unsigned used;

static void *alloc_page(void *ctx)
{
	(void)ctx;
	return used < 8 ? memset(pool[used++], 0, 4096) : NULL;
}
static void free_page(void *ctx, void *page)
{
	(void)ctx, (void)page; /* a bump allocator: freed with the program */
}
static uint64_t v2p(void *ctx, void *va)
{
	return (void)ctx, 0x100000 + (uint64_t)((unsigned char *)va - pool[0]);
}
static void *p2v(void *ctx, uint64_t pa)
{
	return (void)ctx, pool[0] + (pa - 0x100000);
}

int main(void)
{
	struct p2mk_mm_ops mm = {alloc_page, free_page, v2p, p2v, NULL};
	struct p2mk_pt_attrs wb_rw = {P2MK_PT_R | P2MK_PT_W, 6, 0, 0, 0};
	struct p2mk_pt pt;
	struct p2mk_pt_leaf leaf = {0};
	if (p2mk_pt_init(&pt, &p2mk_pt_fmt_ept4, &mm, NULL) != P2MK_OK)
		return 1;
	/* Guest 1 GiB .. +2 MiB -> host frames 0x80000..: one 2 MiB leaf. */
	enum p2mk_err err =
	    p2mk_pt_map(&pt, p2mk_gfn(0x40000), p2mk_mfn(0x80000), 512, &wb_rw,
	                P2MK_PT_ORDER_ANY, 0);
	if (err == P2MK_OK)
		err = p2mk_pt_lookup(&pt, p2mk_gfn(0x40123), &leaf);
	p2mk_pt_destroy(&pt);
	if (err != P2MK_OK || leaf.order != 9 || leaf.mfn.v + 0x123 != 0x80123)
		return printf("consumer: %s\n", p2mk_err_name(err)), 1;
	printf("consumer: gfn 0x40123 -> mfn 0x%" PRIx64
	       " (order %u, %u pages)\n",
	       leaf.mfn.v + 0x123, leaf.order, used);
	return 0;
}
